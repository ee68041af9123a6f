"""Creating ``mx.np`` arrays: ``array``, ``zeros``, ``ones``, ``full``, ``empty``,
``arange``, ``linspace``, ``eye``, the ``*_like`` functions and ``meshgrid``.

Each calls the creation operator of the legacy front end (``_zeros``, ``_arange``...)
and returns its result as an ``mx.np.ndarray`` whatever ``npx.set_np`` says.

MXNet 1.9.1's dtype rules (measured): the default is **float32**, also for Python
ints and bools (``np.array([1, 2])``, ``np.arange(12)``, ``np.full((2,), 3)``); a NumPy
array or an mx array keeps its dtype (``np.array(numpy.arange(3))`` is int64).
"""
import numpy as _np

from ..ndarray import ndarray as _legacy
from ..ndarray import op as _nd
from ..ndarray.ndarray import NDArray

__all__ = ["array", "asarray", "zeros", "ones", "full", "empty", "arange", "linspace",
           "eye", "zeros_like", "ones_like", "full_like", "meshgrid", "copy", "identity",
           "empty_like", "logspace", "blackman", "hamming", "hanning"]


def _as_np(x):
    """``x`` as an ``mx.np.ndarray`` (shares memory and autograd history)."""
    return x.as_np_ndarray()


def _dtype(dtype):
    return _np.dtype(_np.float32 if dtype is None else dtype)


def array(object, dtype=None, ctx=None):
    """A new array holding a copy of ``object`` (an array, a NumPy array, nested
    lists or a number).  ``dtype`` defaults to the source's dtype for anything with a
    ``dtype`` (arrays, NumPy scalars: ``np.array(numpy.float64(2))`` is float64) and to
    **float32** for lists and numbers (``np.array([1, 2])`` is float32)."""
    if dtype is None and hasattr(object, "dtype"):
        dtype = object.dtype
    if isinstance(object, NDArray) and ctx is None:
        ctx = object.context
    if not isinstance(object, (NDArray, _np.ndarray)):
        try:                     # as MXNet: NumPy converts (None -> nan), errors are TypeError
            object = _np.array(object, dtype=_dtype(dtype))
        except Exception as e:  # noqa: BLE001
            raise TypeError(str(e)) from None
    return _as_np(_legacy.array(object, ctx=ctx, dtype=_dtype(dtype)))


def asarray(obj, dtype=None, ctx=None):
    """``obj`` itself when it already is an ``mx.np.ndarray`` of ``dtype`` (and on
    ``ctx``); else ``array(obj, dtype, ctx)``."""
    if isinstance(obj, NDArray) and (dtype is None or _np.dtype(dtype) == obj.dtype) \
            and (ctx is None or ctx == obj.context):
        return _as_np(obj)
    return array(obj, dtype, ctx)


def zeros(shape, dtype=None, order="C", ctx=None):
    """An array of zeros (float32 unless ``dtype``); ``shape=()`` gives a zero-dim one."""
    return _as_np(_legacy.zeros(shape, ctx=ctx, dtype=_dtype(dtype)))


def ones(shape, dtype=None, order="C", ctx=None):
    """An array of ones (float32 unless ``dtype``)."""
    return _as_np(_legacy.ones(shape, ctx=ctx, dtype=_dtype(dtype)))


def full(shape, fill_value, dtype=None, order="C", ctx=None, out=None):
    """An array filled with ``fill_value``: float32 unless ``dtype``, even for an int,
    but bool for a Python bool (as MXNet 1.9.1).  An array ``fill_value`` is broadcast
    to ``shape`` and keeps its dtype."""
    if isinstance(fill_value, NDArray):
        from .manipulation import broadcast_to
        result = broadcast_to(fill_value, tuple(_np.atleast_1d(shape).tolist()))
        result = result if dtype is None else result.astype(dtype)
        if out is not None:
            out[...] = result
            return out
        return _as_np(result)
    if isinstance(fill_value, (bool, _np.bool_)) and dtype is None:
        fill_value, dtype = int(fill_value), _np.bool_
    return _as_np(_legacy.full(shape, fill_value, ctx=ctx, dtype=_dtype(dtype), out=out))


def empty(shape, dtype=None, order="C", ctx=None):
    """An uninitialised array (float32 unless ``dtype``)."""
    return _as_np(_legacy.empty(shape, ctx=ctx, dtype=_dtype(dtype)))


def arange(start, stop=None, step=1, dtype=None, ctx=None):
    """``[start, stop)`` in steps of ``step`` (``arange(n)``: ``0 .. n-1``); float32
    unless ``dtype``, as MXNet (NumPy would give int64)."""
    if stop is None:
        start, stop = 0, start
    if step == 0:
        raise ZeroDivisionError("arange: step must not be 0 (as MXNet 1.9.1)")
    return _as_np(_legacy.arange(start, stop, step, ctx=ctx, dtype=_dtype(dtype)))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0,
             ctx=None):
    """``num`` evenly spaced values from ``start`` to ``stop`` (inclusive unless
    ``endpoint=False``); with ``retstep`` also the spacing."""
    if axis != 0:
        raise ValueError(f"linspace: only axis=0 is supported, got axis={axis}")
    out = _as_np(_legacy.linspace(start, stop, num, endpoint, ctx=ctx, dtype=_dtype(dtype)))
    if retstep:
        return out, (stop - start) / max(num - 1 if endpoint else num, 1)
    return out


def eye(N, M=None, k=0, dtype=None, ctx=None):
    """An ``N x M`` matrix (M defaults to N) with ones on diagonal ``k``."""
    return _as_np(_legacy.eye(N, M or 0, k, ctx=ctx, dtype=_dtype(dtype)))


def zeros_like(a, dtype=None):
    """Zeros with the shape, context and (unless ``dtype``) dtype of ``a``."""
    return full_like(a, 0, dtype)


def ones_like(a, dtype=None):
    """Ones with the shape, context and (unless ``dtype``) dtype of ``a``."""
    return full_like(a, 1, dtype)


def full_like(a, fill_value, dtype=None):
    """``fill_value`` with the shape, context and (unless ``dtype``) dtype of ``a``."""
    return full(a.shape, fill_value, a.dtype if dtype is None else dtype, ctx=a.context)


def meshgrid(*xi, indexing="xy"):
    """Coordinate matrices from 1-D coordinate arrays: output ``i`` repeats ``xi[i]``
    along every other axis.  ``indexing='xy'`` (Cartesian) swaps the first two axes of
    the outputs: for x of length 2 and y of length 3 both outputs have shape (3, 2)."""
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")
    xi = [asarray(x).reshape(-1) for x in xi]
    shape = [x.shape[0] for x in xi]
    axes = list(range(len(xi)))
    if indexing == "xy" and len(xi) > 1:
        shape[0], shape[1] = shape[1], shape[0]
        axes[0], axes[1] = 1, 0
    out = []
    for x, ax in zip(xi, axes):
        view = [1] * len(xi)
        view[ax] = x.shape[0]
        out.append(_nd.broadcast_to(x.reshape(view), shape=tuple(shape)))
    return out


def copy(a, out=None):
    """A new array with ``a``'s values (differentiable: the ``_copy`` operator)."""
    result = asarray(a).copy()
    if out is not None:
        out[...] = result
        return out
    return result


def identity(n, dtype=None, ctx=None):
    """The ``n x n`` identity matrix (float32 unless ``dtype``)."""
    return eye(n, dtype=dtype, ctx=ctx)


def empty_like(prototype, dtype=None, order="C", subok=False, shape=None):
    """An uninitialised array with ``prototype``'s shape (or ``shape``), dtype and
    context."""
    return empty(prototype.shape if shape is None else shape,
                 prototype.dtype if dtype is None else dtype, ctx=prototype.context)


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0, ctx=None):
    """``base ** linspace(start, stop, num)``: ``num`` numbers evenly spaced on a log
    scale from ``base**start`` to ``base**stop`` (float32 unless ``dtype``)."""
    if axis != 0:
        raise NotImplementedError(f"logspace: only axis=0 is supported, got axis={axis}")
    exps = _np.linspace(start, stop, num, endpoint=endpoint, dtype=_np.float64)
    return array(_np.power(base, exps), dtype=_dtype(dtype), ctx=ctx)


def _window(fn, M, dtype, ctx):
    M = int(M)
    return array(fn(M) if M > 0 else _np.zeros(0), dtype=_dtype(dtype), ctx=ctx)


def blackman(M, dtype=_np.float32, ctx=None):
    """The Blackman window of ``M`` points:
    ``0.42 - 0.5 cos(2 pi n / (M - 1)) + 0.08 cos(4 pi n / (M - 1))``."""
    return _window(_np.blackman, M, dtype, ctx)


def hamming(M, dtype=_np.float32, ctx=None):
    """The Hamming window of ``M`` points: ``0.54 - 0.46 cos(2 pi n / (M - 1))``."""
    return _window(_np.hamming, M, dtype, ctx)


def hanning(M, dtype=_np.float32, ctx=None):
    """The Hann window of ``M`` points: ``0.5 - 0.5 cos(2 pi n / (M - 1))``."""
    return _window(_np.hanning, M, dtype, ctx)
