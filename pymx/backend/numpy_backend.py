"""The NumPy reference backend: the executable spec of every kernel in ``contract.py``.

Each kernel is a few lines of vectorised NumPy.  When another backend disagrees with
this file, the other backend is wrong.  (Chapter 6 walks through it; chapter 13 shows
how to write a backend of your own against it.)
"""
import warnings

import numpy as np
from numpy.lib.stride_tricks import as_strided
import scipy.special

from .contract import Backend
from .memory_pool import enable as _enable_memory_pool
from .parallel import parallel_for

__all__ = ["NumpyBackend", "unary_table", "binary_table", "reduce_table"]

# MXNet computes log(0) = -inf and 0/0 = nan silently; so do the kernels in this file.
# (A warnings filter instead of np.errstate: errstate costs ~1.5 us per call.)
warnings.filterwarnings("ignore", category=RuntimeWarning, module=__name__)


def unary_table(xp, special):
    """op -> function for array module ``xp`` (``special``: its ``scipy.special``)."""
    def round_half_away(x):
        """MXNet's ``round``: halves go away from zero (NumPy's ``round`` goes to even)."""
        return xp.sign(x) * xp.floor(xp.abs(x) + 0.5)

    def rint_half_down(x):
        """MXNet's ``rint``: the nearer of floor and ceil, floor on a tie (so halves go
        down: 1.5 -> 1, -0.5 -> -1; IEEE's rint goes to even)."""
        lo, hi = xp.floor(x), xp.ceil(x)
        return xp.where(x - lo <= hi - x, lo, hi)

    def sigmoid(x):
        # exp(-|x|) never overflows; the two branches are the same function.
        z = xp.exp(-xp.abs(x))
        return xp.where(x >= 0, 1 / (1 + z), z / (1 + z)).astype(x.dtype, copy=False)

    return {
        "negative": xp.negative, "abs": xp.abs, "sign": xp.sign, "exp": xp.exp,
        "expm1": xp.expm1, "log": xp.log, "log1p": xp.log1p, "log2": xp.log2,
        "log10": xp.log10, "sqrt": xp.sqrt, "square": xp.square, "cbrt": xp.cbrt,
        "reciprocal": lambda x: 1 / x, "sin": xp.sin, "cos": xp.cos, "tan": xp.tan,
        "arcsin": xp.arcsin, "arccos": xp.arccos, "arctan": xp.arctan, "sinh": xp.sinh,
        "cosh": xp.cosh, "tanh": xp.tanh, "arcsinh": xp.arcsinh, "arccosh": xp.arccosh,
        "arctanh": xp.arctanh, "floor": xp.floor, "ceil": xp.ceil, "trunc": xp.trunc,
        "rint": rint_half_down, "round": round_half_away, "sigmoid": sigmoid,
        "relu": lambda x: xp.maximum(x, 0), "erf": special.erf, "erfinv": special.erfinv,
        "gamma": special.gamma, "gammaln": special.gammaln,
        "logical_not": lambda x: x == 0,
    }


# MXNet's CPU kernels call C's float functions (``expf``, ``logf``, ``sinf``...), which
# are correctly rounded or nearly so; NumPy's float32 SIMD loops are not (its float32
# ``exp`` differs from the correctly rounded value in ~40% of elements).  Computing a
# float32 input in float64 and rounding once gives MXNet's float32 result for 99.9% of
# the elements for exp, 99.7% for log, 94-99% for the others listed (measured against
# MXNet 1.9.1 on 200,000 random inputs: tests/ops/test_float32_math.py).
_VIA_FLOAT64 = ("exp", "expm1", "log", "log2", "log10", "sin", "cos", "tan", "arcsin",
                "arccos", "arctan", "cosh", "tanh", "cbrt")


def _rounded_from_float64(f):
    """``f`` for float32 arrays computed in float64 and rounded to float32."""
    def g(x):
        if x.dtype == np.float32:
            return f(x, dtype=np.float64).astype(np.float32)
        return f(x)
    return g


def _sigmoid_as_mxnet(x):
    """MXNet's ``1 / (1 + exp(-x))`` in the input's type, with ``expf`` rounded from
    float64 (exp(-x) = inf for very negative x gives 0, never NaN)."""
    one = x.dtype.type(1)
    e = np.exp(np.negative(x), dtype=np.float64).astype(x.dtype, copy=False)
    return one / (one + e)


def binary_table(xp):
    """op -> function for array module ``xp``."""
    return {
        "add": xp.add, "subtract": xp.subtract, "multiply": xp.multiply,
        "divide": xp.true_divide, "mod": xp.mod, "power": xp.power,
        "maximum": xp.maximum, "minimum": xp.minimum, "hypot": xp.hypot,
        "arctan2": xp.arctan2, "equal": xp.equal, "not_equal": xp.not_equal,
        "greater": xp.greater, "greater_equal": xp.greater_equal, "lesser": xp.less,
        "lesser_equal": xp.less_equal, "logical_and": xp.logical_and,
        "logical_or": xp.logical_or, "logical_xor": xp.logical_xor,
    }


def reduce_table(xp):
    """op -> reduction for array module ``xp``."""
    return {"sum": xp.sum, "prod": xp.prod, "max": xp.max, "min": xp.min,
            "nansum": xp.nansum, "nanprod": xp.nanprod}


class NumpyBackend(Backend):
    """Arrays are ``numpy.ndarray``; every kernel is implemented natively.

    The kernels call NumPy through ``self.xp``, the *array module*: CuPy copies NumPy's
    API, so the CuPy backend is this class with ``xp = cupy`` and the few differences
    below (``pymx_cupy/xp_backend.py``).  Only the optional ``conv2d`` kernels are
    NumPy-only.
    """
    name = "numpy"
    _reference = None
    xp = np
    _unary = dict(unary_table(np, scipy.special), sigmoid=_sigmoid_as_mxnet,
                  **{op: _rounded_from_float64(getattr(np, op)) for op in _VIA_FLOAT64})
    _binary = binary_table(np)
    _reduce = dict(reduce_table(np), sum=np.add.reduce, prod=np.multiply.reduce,
                   max=np.maximum.reduce, min=np.minimum.reduce)   # (np.sum's own cost: ~2 us)
    sort_kind = "stable"                       # CuPy's sort is always stable: None
    add_at = staticmethod(np.add.at)           # out[i] += v, summing repeated i

    def __init__(self, device_id=0):
        super().__init__(device_id)
        _enable_memory_pool()            # host memory: keep freed blocks (memory_pool.py)

    @staticmethod
    def strided_view(x, shape, strides):
        """A read-only view of ``x`` with the given ``shape`` and byte ``strides``."""
        return as_strided(x, shape, strides, writeable=False)

    @classmethod
    def reference(cls):
        """The shared instance used as the spec and as other backends' host fallback."""
        if cls._reference is None:
            cls._reference = cls(0)
        return cls._reference

    def is_native(self, a):
        return isinstance(a, self.xp.ndarray)

    # ---- memory -----------------------------------------------------------------------
    def from_numpy(self, a):
        return self.xp.array(a, copy=True, order="C")

    def to_numpy(self, x):
        return np.array(x, copy=True, order="C")

    def empty(self, shape, dtype):
        return self.xp.empty(shape, dtype)

    def full(self, shape, value, dtype):
        return self.xp.full(shape, value, dtype)

    def copy(self, x):
        return self.xp.array(x, copy=True, order="C")

    def astype(self, x, dtype):
        return x.astype(dtype)          # (NaN -> int warns: filtered at the top)

    def arange(self, start, stop, step, dtype):
        return self.xp.arange(start, stop, step).astype(dtype)

    # ---- layout -----------------------------------------------------------------------
    def reshape(self, x, shape):
        return x.reshape(shape)

    def transpose(self, x, axes):
        return self.xp.asarray(self.xp.transpose(x, axes), order="C")

    def broadcast_to(self, x, shape):
        return self.xp.broadcast_to(x, shape)

    def getitem(self, x, key):
        return self.xp.asarray(x[key])

    def setitem(self, x, key, value):
        x[key] = value

    def concat(self, xs, axis):
        return self.xp.concatenate(xs, axis=axis)

    def stack(self, xs, axis):
        return self.xp.stack(xs, axis=axis)

    def pad(self, x, pad_width, mode, value):
        if mode == "constant":
            return self.xp.pad(x, pad_width, mode="constant", constant_values=value)
        return self.xp.pad(x, pad_width, mode=mode)

    def flip(self, x, axes):
        return self.xp.asarray(self.xp.flip(x, axes), order="C")

    def tile(self, x, reps):
        return self.xp.tile(x, reps)

    def repeat(self, x, repeats, axis):
        return self.xp.repeat(x, repeats, axis=axis)

    # ---- elementwise ------------------------------------------------------------------
    def unary(self, op, x, out=None):
        f = self._unary[op]
        if out is not None:
            if isinstance(f, np.ufunc):
                return f(x, out=out, casting="unsafe")
            if op == "relu":                   # max(x, 0) straight into out
                return self.xp.maximum(x, 0, out=out, casting="unsafe")
        res = f(x)
        if res.dtype != x.dtype:
            res = res.astype(x.dtype)
        if not isinstance(res, self.xp.ndarray):     # a 0-d input gives a NumPy scalar
            res = self.xp.asarray(res)
        if out is None:
            return res
        out[...] = res
        return out

    _ZERO_ONE = {"equal", "not_equal", "greater", "greater_equal", "lesser", "lesser_equal",
                 "logical_and", "logical_or", "logical_xor"}

    def binary(self, op, a, b, out=None):
        if out is not None:                   # (every binary kernel is a ufunc)
            return self._binary[op](a, b, out=out, casting="unsafe")
        arr = a if isinstance(a, self.xp.ndarray) else b
        dtype = arr.dtype
        if op in self._ZERO_ONE and getattr(a, "shape", arr.shape) == getattr(
                b, "shape", arr.shape):      # the 0/1 result straight in the input dtype
            return self._binary[op](a, b, out=self.xp.empty(arr.shape, dtype))
        out = self._binary[op](a, b)
        if not isinstance(out, self.xp.ndarray):     # 0-d inputs give a NumPy scalar
            out = self.xp.asarray(out)
        return out if out.dtype == dtype else out.astype(dtype)

    def where(self, cond, a, b):
        return self.xp.where(cond != 0, a, b)

    def clip(self, x, lo, hi):
        return self.xp.asarray(self.xp.clip(x, lo, hi)).astype(x.dtype, copy=False)

    # ---- reductions -------------------------------------------------------------------
    def reduce(self, op, x, axes, keepdims):
        out = self._reduce[op](x, axis=axes, keepdims=keepdims)
        return out if type(out) is np.ndarray and out.dtype == x.dtype else \
            self.xp.asarray(out, dtype=x.dtype)

    def argmax(self, x, axis, keepdims):
        return self.xp.argmax(x, axis=axis, keepdims=keepdims)

    def argmin(self, x, axis, keepdims):
        return self.xp.argmin(x, axis=axis, keepdims=keepdims)

    def cumsum(self, x, axis):
        return self.xp.cumsum(x, axis=axis, dtype=x.dtype)

    # ---- linear algebra ---------------------------------------------------------------
    def matmul(self, a, b, transpose_a=False, transpose_b=False, out=None):
        return self.xp.matmul(a.T if transpose_a else a, b.T if transpose_b else b, out=out)

    def batch_matmul(self, a, b, transpose_a=False, transpose_b=False):
        return self.xp.matmul(a.transpose(0, 2, 1) if transpose_a else a,
                              b.transpose(0, 2, 1) if transpose_b else b)

    # ---- indexing ---------------------------------------------------------------------
    def take(self, x, indices, axis):
        return self.xp.take(x, indices, axis=axis)

    def scatter_add(self, shape, indices, values, axis, dtype):
        # BEGIN EXERCISE scatter_add
        xp = self.xp
        out = xp.zeros(shape, dtype)
        moved = xp.moveaxis(out, axis, 0)                      # a view into out
        vals = xp.moveaxis(values, list(range(axis, axis + indices.ndim)),
                           list(range(indices.ndim)))
        self.add_at(moved, indices.reshape(-1),
                    vals.reshape((indices.size,) + moved.shape[1:]))
        return out
        # END EXERCISE scatter_add

    def take_along_axis(self, x, indices, axis):
        return self.xp.take_along_axis(x, indices, axis)

    def scatter_add_along_axis(self, shape, indices, values, axis, dtype):
        xp = self.xp
        out = xp.zeros(shape, dtype)
        if indices.shape[axis] == 1:      # one position per line (pick): nothing to sum
            xp.put_along_axis(out, indices, values, axis)
            return out
        where = list(xp.ogrid[tuple(slice(n) for n in indices.shape)])   # open grids
        where[axis] = indices
        self.add_at(out, tuple(where), values)
        return out

    def one_hot(self, indices, depth, on_value, off_value, dtype):
        hot = indices[..., None] == self.xp.arange(depth)
        return self.xp.where(hot, on_value, off_value).astype(dtype)

    def sort(self, x, axis):
        return self.xp.sort(x, axis=axis, kind=self.sort_kind)

    def argsort(self, x, axis):
        return self.xp.argsort(x, axis=axis, kind=self.sort_kind)

    # ---- convolution ------------------------------------------------------------------
    def im2col(self, x, kernel, stride, pad, dilate):
        # BEGIN EXERCISE im2col
        xp = self.xp
        n, c, *spatial = x.shape
        d = len(kernel)
        if any(pad):
            x = xp.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in pad])
        x = xp.ascontiguousarray(x)
        out = [(s + 2 * p - dl * (k - 1) - 1) // st + 1
               for s, p, dl, k, st in zip(spatial, pad, dilate, kernel, stride)]
        sn, sc, *ss = x.strides
        # A strided view (N, C, k1..kd, o1..od): no copy until the reshape below.
        view = self.strided_view(
            x, (n, c, *kernel, *out),
            (sn, sc, *[s * dl for s, dl in zip(ss, dilate)],
             *[s * st for s, st in zip(ss, stride)]))
        return view.reshape(n, c * int(np.prod(kernel)), int(np.prod(out)))
        # END EXERCISE im2col

    def col2im(self, cols, shape, kernel, stride, pad, dilate):
        # BEGIN EXERCISE col2im
        xp = self.xp
        n, c, *spatial = shape
        out = [(s + 2 * p - dl * (k - 1) - 1) // st + 1
               for s, p, dl, k, st in zip(spatial, pad, dilate, kernel, stride)]
        padded = xp.zeros((n, c, *[s + 2 * p for s, p in zip(spatial, pad)]), cols.dtype)
        cols = cols.reshape(n, c, *kernel, *out)
        for pos in np.ndindex(*kernel):          # one strided add per kernel tap
            window = tuple(slice(k * dl, k * dl + st * (o - 1) + 1, st)
                           for k, dl, st, o in zip(pos, dilate, stride, out))
            padded[(slice(None), slice(None)) + window] += cols[(slice(None), slice(None)) + pos]
        inner = tuple(slice(p, p + s) for p, s in zip(pad, spatial))
        return xp.ascontiguousarray(padded[(slice(None), slice(None)) + inner])
        # END EXERCISE col2im

    # ---- optional fused kernels (not in the contract; ops fall back to im2col) --------
    # 2-D convolution with one GEMM per product over the whole batch, computed in a
    # "batch-last" layout: x is copied once to (C, H, W, N), the columns are
    # (C*kh*kw, Ho*Wo*N) and W (F, C*kh*kw) @ cols gives (F, Ho, Wo, N) in a single BLAS
    # call.  With N innermost every copy and every col2im add runs over long contiguous
    # rows (Wo*N floats) instead of rows of Wo: 3-4x faster than the NCHW columns for
    # LeNet-sized layers, and one big GEMM beats N small ones.
    @staticmethod
    def _out_hw(shape, kernel, stride, pad, dilate):
        return tuple((s + 2 * p - dl * (k - 1) - 1) // st + 1 for s, k, st, p, dl in
                     zip(shape[2:], kernel, stride, pad, dilate))

    @classmethod
    def _cols_last(cls, x, kernel, stride, pad, dilate):
        """``(cols (C*kh*kw, Ho*Wo*N), Ho, Wo)`` of NCHW ``x``."""
        n, c, h, w = x.shape
        xt = np.zeros((c, h + 2 * pad[0], w + 2 * pad[1], n), x.dtype)
        xt[:, pad[0]:pad[0] + h, pad[1]:pad[1] + w] = x.transpose(1, 2, 3, 0)
        ho, wo = cls._out_hw(x.shape, kernel, stride, pad, dilate)
        sc, sh, sw, sn = xt.strides
        view = as_strided(xt, (c, kernel[0], kernel[1], ho, wo, n),
                          (sc, sh * dilate[0], sw * dilate[1], sh * stride[0],
                           sw * stride[1], sn), writeable=False)
        return view.reshape(c * kernel[0] * kernel[1], ho * wo * n), ho, wo

    # Both kernels split the batch into parts that run on all cores at once
    # (``parallel.py``): each part is a whole convolution of its samples.  A layer
    # whose columns are shorter than twice its filters (C*kh*kw < 2*F: LeNet's first,
    # C = 1) keeps the per-sample columns (N, C*kh*kw, Ho*Wo) of ``im2col``: there the
    # batch-last transposes would cost more than they save.
    @staticmethod
    def _batch_last(w):
        return w[0].size >= 2 * w.shape[0]

    def conv2d(self, x, w, b, stride, pad, dilate, out=None):
        """NCHW convolution, one group: ``(N, C, H, W) * (F, C, kh, kw) -> (N, F, Ho, Wo)``
        (into ``out`` when given)."""
        n, f = x.shape[0], w.shape[0]
        w2 = w.reshape(f, -1)
        ho, wo = self._out_hw(x.shape, w.shape[2:], stride, pad, dilate)
        if out is None:
            out = np.empty((n, f, ho, wo), np.result_type(x, w))
        batch_last = self._batch_last(w)

        def part(s):
            m = s.stop - s.start
            if batch_last:
                cols, _, _ = self._cols_last(x[s], w.shape[2:], stride, pad, dilate)
                y = (w2 @ cols).reshape(f, ho, wo, m).transpose(3, 0, 1, 2)
                np.copyto(out[s], y)
            else:           # (m, F, K) @ (m, K, L), straight into out's rows
                cols = self.im2col(x[s], w.shape[2:], stride, pad, dilate)
                np.matmul(w2, cols, out=out[s].reshape(m, f, ho * wo))
            if b is not None:
                out[s] += b.reshape(1, f, 1, 1)
        parallel_for(part, n)
        return out

    def conv2d_backward(self, dy, x, w, stride, pad, dilate, need_bias, need_data=True):
        """``(dx or None, dw, db or None)`` of ``conv2d``: up to three GEMMs and one
        col2im scatter (skipped without ``need_data``) per part of the batch; the
        parts' dw and db are summed."""
        n, c, h, wd = x.shape
        f, _, kh, kw = w.shape
        ho, wo = dy.shape[2:]
        dx = np.empty(x.shape, np.result_type(dy, w)) if need_data else None
        batch_last = self._batch_last(w)
        # W with the taps first and the channels last (a small copy), so that each
        # tap's block of dcols is a contiguous run of C floats per position
        wt = np.ascontiguousarray(w.transpose(0, 2, 3, 1)).reshape(f, kh * kw * c)

        def part(s):
            m = s.stop - s.start
            if not batch_last:
                dy3 = dy[s].reshape(m, f, ho * wo)
                cols = self.im2col(x[s], (kh, kw), stride, pad, dilate)
                dw = np.matmul(dy3, cols.transpose(0, 2, 1)).sum(axis=0)
                db = dy3.sum(axis=(0, 2)) if need_bias else None
                if need_data:
                    dcols = np.matmul(w.reshape(f, -1).T, dy3)
                    dx[s] = self.col2im(dcols, (m, c, h, wd), (kh, kw), stride, pad, dilate)
                return dw, db
            dy2 = np.ascontiguousarray(dy[s].transpose(1, 2, 3, 0)).reshape(f, ho * wo * m)
            cols, _, _ = self._cols_last(x[s], (kh, kw), stride, pad, dilate)
            # Both products with the long (Ho*Wo*N) side as BLAS's row count: ~25%
            # faster than dy2 @ cols.T and W^T @ dy2 for LeNet-sized layers.
            dw = (cols @ dy2.T).T
            db = dy2.sum(axis=1) if need_bias else None
            if need_data:
                dcols = (dy2.T @ wt).reshape(ho, wo, m, kh, kw, c)
                dxt = np.zeros((h + 2 * pad[0], wd + 2 * pad[1], m, c), dcols.dtype)
                for i in range(kh):                     # one strided add per kernel tap
                    for j in range(kw):
                        r, q = i * dilate[0], j * dilate[1]
                        dxt[r:r + stride[0] * (ho - 1) + 1:stride[0],
                            q:q + stride[1] * (wo - 1) + 1:stride[1]] += dcols[:, :, :, i, j]
                dx[s] = dxt[pad[0]:pad[0] + h, pad[1]:pad[1] + wd].transpose(2, 3, 0, 1)
            return dw, db
        parts = parallel_for(part, n)
        dw = parts[0][0]
        for p in parts[1:]:
            dw += p[0]
        db = None
        if need_bias:
            db = parts[0][1]
            for p in parts[1:]:
                db += p[1]
        return dx, dw.reshape(w.shape), db
