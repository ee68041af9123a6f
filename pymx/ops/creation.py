"""Operators that create arrays: ``_zeros``, ``_ones``, ``_full``, ``_arange``,
``_linspace``, ``_eye``, ``zeros_like``, ``ones_like`` and ``_copy``.

Creation ops have no array inputs; ``invoke`` takes their context from ``ctx=``.
(``mx.nd.zeros`` and ``mx.sym.zeros`` both call ``_zeros``.)
"""
import numpy as np

from ..base import MXNetError
from .registry import Param, register

_SHAPE = {"shape": Param("shape", ()), "dtype": Param("dtype", "float32")}


def _no_inputs(shape_fn):
    """Shape rule for creation ops: the output shape comes from the attributes alone."""
    return lambda a, in_shapes: ([], [shape_fn(a)])


def _creation_type(a, in_types):
    return [], [np.dtype(a.dtype or "float32")]


def _filled(value):
    return lambda k, a: k.full(a.shape, value, a.dtype or "float32")


register("_zeros", _filled(0), inputs=(), params=_SHAPE,
         infer_shape=_no_inputs(lambda a: a.shape), infer_type=_creation_type,
         doc="An array of zeros of ``shape``.")
register("_ones", _filled(1), inputs=(), params=_SHAPE,
         infer_shape=_no_inputs(lambda a: a.shape), infer_type=_creation_type,
         doc="An array of ones of ``shape``.")
register("_full", lambda k, a: k.full(a.shape, a.value, a.dtype or "float32"), inputs=(),
         params=dict(_SHAPE, value=Param("float", 0.0)),
         infer_shape=_no_inputs(lambda a: a.shape), infer_type=_creation_type,
         doc="An array of ``shape`` filled with ``value``.")


def _arange_len(a):
    start, stop = (0.0, a.start) if a.stop is None else (a.start, a.stop)
    n = int(np.ceil((stop - start) / a.step)) if a.step else 0
    if a.step == 0:
        raise MXNetError("_arange: step must not be 0")
    return max(n, 0) * a.repeat


def _arange(k, a):
    start, stop = (0.0, a.start) if a.stop is None else (a.start, a.stop)
    dtype = np.dtype(a.dtype or "float32")
    if dtype.kind == "f":
        # MXNet computes element i as ``start + i * step`` in the output dtype, each
        # operation rounded to it: float32 ``arange(0, 1, 0.1)[9]`` is 0.90000004
        # (9 * 0.1f), and ``arange(-8, 8, 0.1)[80]`` is exactly 0.
        n = _arange_len(a) // a.repeat
        i = np.arange(n).astype(dtype)
        x = k.from_numpy((dtype.type(start) + i * dtype.type(a.step)).astype(dtype))
    else:
        # Integer dtypes: the length comes from the float range, but start and step are
        # first cast (truncated) to the dtype, so arange(0.5, 5, 1.5, dtype='int32') is
        # [0, 1, 2] (start 0, step 1, three elements).
        n = _arange_len(a) // a.repeat
        x = k.from_numpy((int(start) + np.arange(n, dtype=np.int64) * int(a.step))
                         .astype(dtype))
    return k.repeat(x, a.repeat, 0) if a.repeat != 1 else x


register("_arange", _arange, inputs=(),
         params={"start": Param("float", 0.0), "stop": Param("float", None),
                 "step": Param("float", 1.0), "repeat": Param("int", 1),
                 "infer_range": Param("bool", False), "dtype": Param("dtype", "float32")},
         infer_shape=_no_inputs(lambda a: (_arange_len(a),)), infer_type=_creation_type,
         doc="Evenly spaced values ``[start, stop)``; each repeated ``repeat`` times.")


def _linspace(k, a):
    values = np.linspace(a.start, a.stop, a.num, endpoint=a.endpoint)
    return k.from_numpy(values.astype(a.dtype or "float32"))


register("_linspace", _linspace, inputs=(),
         params={"start": Param("float", 0.0), "stop": Param("float"),
                 "num": Param("int", 50), "endpoint": Param("bool", True),
                 "dtype": Param("dtype", "float32")},
         infer_shape=_no_inputs(lambda a: (a.num,)), infer_type=_creation_type,
         doc="``num`` evenly spaced values from ``start`` to ``stop``.")


def _eye(k, a):
    cols = a.M or a.N
    return k.from_numpy(np.eye(a.N, cols, a.k, dtype=a.dtype or "float32"))


register("_eye", _eye, inputs=(),
         params={"N": Param("int"), "M": Param("int", 0), "k": Param("int", 0),
                 "dtype": Param("dtype", "float32")},
         infer_shape=_no_inputs(lambda a: (a.N, a.M or a.N)), infer_type=_creation_type,
         doc="A 2-D array with ones on diagonal ``k`` and zeros elsewhere.")

register("zeros_like", lambda k, a, x: k.full(x.shape, 0, x.dtype),
         gradient=lambda F, a, xs, ys, dys: [None],
         doc="Zeros with the shape and dtype of ``data``.")
register("ones_like", lambda k, a, x: k.full(x.shape, 1, x.dtype),
         gradient=lambda F, a, xs, ys, dys: [None],
         doc="Ones with the shape and dtype of ``data``.")
register("_copy", lambda k, a, x: k.copy(x), aliases=("identity",),
         gradient=lambda F, a, xs, ys, dys: [dys[0]], inplace=[(0, 0)],
         doc="A copy of ``data`` (its gradient passes straight through).")
