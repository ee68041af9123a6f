"""The CuPy backend's fused kernels: the launchers of ``fused_<op>(a, *inputs)``.

The same ``fused_<op>`` methods and plans (``pymx_kernels.fused``: which calls a kernel
takes, with which scalars) and the same kernel text (``pymx_kernels/fused.c``) as the
OpenCL backend, compiled as CUDA C (module ``"fused"`` of ``sources.py``).  An op
decorated ``@fused("<op>")`` (``pymx/ops/util.py``) calls these first; ``None`` means
"run the composite".
"""
import cupy
import numpy as np

from pymx_kernels.fused import FusedOps

from . import sources

__all__ = ["CupyFusedKernels"]


class CupyFusedKernels(FusedOps):
    """Mixed into ``CupyBackend`` (uses its ``_function``)."""
    plan_dtypes = sources.FUSED_DTYPES

    def _launch(self, name, dtype, threads, *args):
        if threads:
            grid, block = sources.launch_config(threads)
            self._function("fused", dtype, name)(grid, block, args)

    def _softmax(self, plan, x):
        x = cupy.ascontiguousarray(x)
        y = cupy.empty_like(x)
        i64 = np.int64
        self._launch(plan["kernel"], x.dtype, plan["threads"], x, y, i64(plan["outer"]),
                     i64(plan["n"]), i64(plan["inner"]), x.dtype.type(plan["t"]))
        return y

    def _update(self, plan, arrays, states, scalars):
        w, g = (cupy.ascontiguousarray(v) for v in arrays)
        bufs = [cupy.ascontiguousarray(s) for s in states]
        out = cupy.empty_like(w)
        t = w.dtype.type
        args = [w, g, *bufs, out] + [t(plan[s]) for s in scalars] + [
            t(plan["clip"]), np.int32(plan["clip_on"]), np.int64(w.size)]
        self._launch(plan["kernel"], w.dtype, w.size, *args)
        self._writeback(zip(states, bufs))
        return out

    def _batchnorm(self, plan, x, gamma, beta, moving_mean, moving_var):
        x, gamma, beta = (cupy.ascontiguousarray(v) for v in (x, gamma, beta))
        run = [cupy.ascontiguousarray(s) for s in (moving_mean, moving_var)]
        c, i64, t = plan["C"], np.int64, x.dtype.type
        mean, invstd = cupy.empty((c,), x.dtype), cupy.empty((c,), x.dtype)
        self._launch("batchnorm_stats", x.dtype, c, x, mean, invstd, run[0], run[1],
                     i64(plan["outer"]), i64(c), i64(plan["inner"]), t(plan["eps"]),
                     np.int32(plan["training"]))
        y = cupy.empty_like(x)
        self._launch("batchnorm_apply", x.dtype, x.size, x, mean, invstd, gamma, beta, y,
                     i64(c), i64(plan["inner"]), np.int32(plan["fix_gamma"]), i64(x.size))
        return y, mean, invstd
