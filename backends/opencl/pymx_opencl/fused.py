"""The OpenCL backend's fused kernels: the launchers of ``fused_<op>(a, *inputs)``.

An op whose forward is decorated with ``@fused("<op>")`` (``pymx/ops/util.py``) calls
the backend's ``fused_<op>`` first, with the forward's own arguments, and runs its
composite (a chain of contract kernels) only when the method is missing or returns
``None``.  Each method (``pymx_kernels.fused.FusedOps``, shared with the CUDA
backend) asks for a *plan* (does the kernel take this call, and with which scalars),
then calls a launcher here, which runs the kernels of ``pymx_kernels/fused.c`` (the
same text the CUDA backend compiles).  States (``mom``, ``mean``, ``var``) are updated
in place; a strided state is updated through a compact copy written back.
"""
import numpy as np

from pymx_kernels import fused_source
from pymx_kernels.fused import FusedOps

__all__ = ["FusedKernels"]


class FusedKernels(FusedOps):
    """Mixed into ``OpenCLBackend`` (uses its ``_kernel``, ``_run``, ``_compact``, ...)."""

    @property
    def plan_dtypes(self):
        return self.dtypes                     # the fused kernels compute in every dtype

    def _fused_kernel(self, dtype, name):
        return self._kernel(("fused", dtype.name), lambda: fused_source("opencl", dtype), name)

    def _launch(self, name, dtype, threads, *args):
        self._run(self._fused_kernel(dtype, name), (threads,), None, *args)

    def _softmax(self, plan, x):
        """softmax / log_softmax, one work-item per (outer, inner) row."""
        x = self._compact(x)
        y = self.empty(x.shape, x.dtype)
        i64, t = np.int64, x.dtype.type
        self._launch(plan["kernel"], x.dtype, plan["threads"], x.base_data, y.base_data,
                     i64(plan["outer"]), i64(plan["n"]), i64(plan["inner"]), t(plan["t"]))
        return y

    def _update(self, plan, arrays, states, scalars):
        """Launch ``plan['kernel']`` on (weight, grad, *states, out, *scalars, n)."""
        w, g = (self._compact(v) for v in arrays)
        bufs = [self._compact(s) for s in states]
        out = self.empty(w.shape, w.dtype)
        t = w.dtype.type
        args = [w.base_data, g.base_data] + [b.base_data for b in bufs] + [out.base_data]
        args += [t(plan[s]) for s in scalars] + [t(plan["clip"]), np.int32(plan["clip_on"]),
                                                  np.int64(w.size)]
        self._launch(plan["kernel"], w.dtype, w.size, *args)
        self._writeback(zip(states, bufs))
        return out

    def _batchnorm(self, plan, x, gamma, beta, moving_mean, moving_var):
        x, gamma, beta = (self._compact(v) for v in (x, gamma, beta))
        run = [self._compact(s) for s in (moving_mean, moving_var)]
        c, i64, t = plan["C"], np.int64, x.dtype.type
        mean, invstd = self.empty((c,), x.dtype), self.empty((c,), x.dtype)
        self._launch("batchnorm_stats", x.dtype, c, x.base_data, mean.base_data,
                     invstd.base_data, run[0].base_data, run[1].base_data, i64(plan["outer"]),
                     i64(c), i64(plan["inner"]), t(plan["eps"]), np.int32(plan["training"]))
        y = self.empty(x.shape, x.dtype)
        self._launch("batchnorm_apply", x.dtype, x.size, x.base_data, mean.base_data,
                     invstd.base_data, gamma.base_data, beta.base_data, y.base_data, i64(c),
                     i64(plan["inner"]), np.int32(plan["fix_gamma"]), i64(x.size))
        return y, mean, invstd
