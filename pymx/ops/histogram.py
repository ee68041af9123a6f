"""``_histogram`` and MXNet's Python ``histogram(a, bins=10, range=None)`` over it.

Counting: bin ``i`` holds the elements ``x`` with ``edges[i] <= x < edges[i + 1]``; the
last bin also holds ``x == edges[-1]`` (NumPy's convention).  Elements outside
``[edges[0], edges[-1]]`` and NaNs are not counted.  The edges are either

* an array ``bins`` (increasing, of data's dtype), or
* ``bin_cnt`` equal bins over ``range = (lo, hi)``: ``edges[i] = lo + i * (hi - lo) /
  bin_cnt``, computed in float64 and cast to data's dtype (so integer data gets
  truncated edges, as MXNet); ``lo == hi`` widens the range to ``(lo - 0.5, hi + 0.5)``.

Outputs: the counts (int64) and the edges.  There is no gradient (MXNet has none).
"""
import warnings

import numpy as np

from ..base import MXNetError
from .registry import Param, register

__all__ = ["make_histogram"]


def _edges(k, a, data, bins):
    """The bin edges as a native array (host arithmetic for ``bin_cnt`` + ``range``)."""
    op = "_histogram"
    if bins is not None:
        if len(bins.shape) != 1 or bins.shape[0] < 2 or bins.dtype != data.dtype:
            raise MXNetError(f"{op}: bins must be 1-D with at least 2 edges, of data's dtype"
                             f" {data.dtype}; got shape {tuple(bins.shape)}, {bins.dtype}")
        return bins
    lo, hi = _range(a)
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    edges = lo + np.arange(a.bin_cnt + 1, dtype=np.float64) * ((hi - lo) / a.bin_cnt)
    return k.from_numpy(edges.astype(data.dtype))


def _range(a):
    op = "_histogram"
    if a.bin_cnt is None or a.bin_cnt < 1 or a.range is None or len(a.range) != 2:
        raise MXNetError(f"{op}: without a bins array, needs bin_cnt >= 1 and range (lo, "
                         f"hi), got bin_cnt={a.bin_cnt}, range={a.range}")
    lo, hi = a.range
    if lo > hi:
        raise MXNetError(f"{op}: range (lo, hi) needs lo <= hi, got {a.range}")
    return lo, hi


def _histogram(k, a, data, bins=None):
    edges = _edges(k, a, data, bins)
    nb = edges.shape[0] - 1
    m = int(np.prod(data.shape))
    x = k.broadcast_to(k.reshape(data, (m, 1)), (m, nb))
    lo = k.broadcast_to(k.reshape(k.getitem(edges, (slice(0, nb),)), (1, nb)), (m, nb))
    hi = k.broadcast_to(k.reshape(k.getitem(edges, (slice(1, nb + 1),)), (1, nb)), (m, nb))
    last = k.broadcast_to(k.from_numpy((np.arange(nb) == nb - 1).reshape(1, nb)), (m, nb))
    below_hi = k.where(last, k.binary("lesser_equal", x, hi), k.binary("lesser", x, hi))
    inside = k.binary("multiply", k.binary("greater_equal", x, lo), below_hi)   # 0/1
    counts = k.reduce("sum", k.astype(inside, "int64"), (0,), False)
    return counts, k.copy(edges)


def _histogram_shape(a, s):
    if len(s) == 2:
        return s, [None if s[1] is None else (s[1][0] - 1,), s[1]]
    _range(a)
    return s, [(a.bin_cnt,), (a.bin_cnt + 1,)]


register("_histogram", _histogram,
         inputs=lambda a: ("data",) if a.bin_cnt is not None else ("data", "bins"),
         params={"bin_cnt": Param("int", None, doc="number of equal bins over range"),
                 "range": Param("floats", None, doc="(lo, hi) of the bins")},
         outputs=("counts", "edges"), infer_shape=_histogram_shape,
         infer_type=lambda a, t: (t, ["int64", t[0]]),
         doc="""Count data's elements per bin: outputs (counts int64 (B,), edges (B + 1,)).
The edges are the ``bins`` input, or ``bin_cnt`` equal bins over ``range``; see the module
docstring for the counting rule.  Reached from Python as ``histogram(a, bins, range)``.""")


def make_histogram(F):
    """MXNet's Python ``histogram`` for namespace ``F`` (``mx.nd`` or ``mx.sym``)."""
    def histogram(a, bins=10, range=None):
        """Histogram of ``a``'s elements: returns ``(counts, edges)``.

        ``bins`` is an array of edges, or a number of equal bins over ``range`` =
        ``(lo, hi)``.  Without ``range``, ``mx.nd`` uses NumPy's ``histogram`` on the
        host (as MXNet, which warns; the results are float32 arrays) and ``mx.sym``
        raises ValueError.
        """
        if isinstance(bins, (int, np.integer)):
            if range is not None:
                return F._histogram(a, bin_cnt=int(bins), range=range)
            if not hasattr(F, "array"):
                raise ValueError("null range is not supported in symbol mode")
            warnings.warn("range is not specified, using numpy's result to ensure "
                          "consistency with numpy")
            counts, edges = np.histogram(a.asnumpy(), bins=int(bins))
            return F.array(counts), F.array(edges)
        if isinstance(bins, (list, tuple, np.ndarray)) or bins is None:
            raise ValueError("bins argument should be either an integer or an NDArray")
        return F._histogram(a, bins)
    return histogram
