"""``CachedOp``: run a Symbol on NDArrays like one operator (what ``hybridize()`` uses).

``op = CachedOp(sym, flags)`` then ``op(*arrays)`` with the arrays in
``sym.list_inputs()`` order (arguments and aux states as they appear in the graph).
The first call for a set of input shapes/dtypes/contexts builds a ``Program`` (the
forward nodes, and the backward nodes for the inputs that need gradients); later
calls with the same signature reuse it.

``static_alloc=True`` also runs the program's **memory plan** (``executor/storage.py``):
the internal entries live in preallocated blocks, one per storage id.  Calls outside
``autograd.record()`` reuse one set of blocks per signature (what static allocation
buys in MXNet); a recorded call gets its own set, kept by its tape node until its
gradient has run, since the next call must not overwrite the values the backward
reads; when the tape frees the node, its set is kept for the next recorded call.
Outputs and gradients are never in a block: they are the caller's arrays.

Training mode is read from ``autograd.is_training()`` **at each call**, so Dropout
and BatchNorm behave per call, not as frozen when the graph was traced
(apache/mxnet#16932).  Under ``autograd.record()`` the whole call is **one node on
the tape**: its gradient runs the program's backward graph with the values saved by
this call.  Aux states (BatchNorm's running statistics) move when that gradient runs
(``_backward_BatchNorm`` updates them in place), as imperatively and in MXNet on CPU.
"""
from .autograd import _record
from .base import FLAGS, MXNetError
from .executor.program import Program
from .executor.storage import Storage, planned_memory_enabled
from .ndarray.ndarray import NDArray
from .ndarray.register import result_class
from .ops.registry import Attrs

__all__ = ["CachedOp"]

_FLAG_NAMES = ("static_alloc", "static_shape", "forward_bulk_size", "backward_bulk_size",
               "inline_limit", "data_indices", "param_indices", "is_dynamic")


class _CallNode:
    """One recorded call of a CachedOp, as the tape sees it (``name``, ``gradient``)."""

    def __init__(self, cached_op, program, values, ctxs, wrt_index, is_train, storage=None,
                 feed=None):
        self.name = f"CachedOp({', '.join(cached_op._symbol.list_outputs())})"
        self.program, self.values, self.ctxs = program, values, ctxs
        self.wrt_index, self.is_train = wrt_index, is_train
        self.n_inputs = len(cached_op._inputs)
        self.storage, self.feed, self.backward_ran = storage, feed, False

    def gradient(self, F, a, xs, ys, dys):
        heads = [None if d is None else d._data for d in dys]
        if self.storage is not None and self.backward_ran:   # retain_graph: blocks reused
            self.values, self.ctxs = self.program.forward(*self.feed, storage=self.storage)
        self.backward_ran = True
        grads = self.program.backward(dict(self.values), dict(self.ctxs), heads,
                                      self.is_train, storage=self.storage)
        out = [None] * self.n_inputs
        for i, g in zip(self.wrt_index, grads):
            x = xs[i]
            if g is None:
                out[i] = F.zeros_like(x)
            else:
                out[i] = type(x)(g, x.context)
        return out

    def release(self):
        """The tape is done with this call: its blocks may serve the next recorded call."""
        if self.storage is not None:
            self.program.spare_storage.append(self.storage)
        self.storage = self.values = self.feed = None


class CachedOp:
    """A Symbol compiled for repeated calls on NDArrays (see the module docstring)."""

    def __init__(self, sym, flags=()):
        self._symbol = sym
        self.flags = dict(flags)
        for key in self.flags:
            if key not in _FLAG_NAMES:
                raise MXNetError(f"CachedOp: unknown flag {key!r}")
        self._inputs = [n for n in sym._topo() if n.is_variable]
        self._cache = {}

    def _program(self, arrays, need):
        key = (tuple((a.shape, a._data.dtype, a.context) for a in arrays), need)
        prog = self._cache.get(key)
        if prog is None:
            if not (self.flags.get("static_alloc") or self.flags.get("static_shape")):
                self._cache.clear()          # keep only the latest signature
            wrt = [self._inputs[i] for i in need]
            prog = Program(self._symbol, wrt, arrays[0].context if arrays else None)
            prog.one_ctx = all(a.context == prog.ctx for a in arrays)
            prog.plan_info = self._plan(prog, arrays) if self.flags.get("static_alloc") else None
            prog.spare_storage = []        # blocks of recorded calls whose backward ran
            self._cache[key] = prog
        return prog

    def _plan(self, prog, arrays):
        """(plan, shapes, dtypes) of ``prog`` for these input arrays, or None when
        planned execution is off or impossible (unknown shapes, several contexts)."""
        if not arrays or not planned_memory_enabled():
            return None
        ctx = arrays[0].context
        if any(a.context != ctx for a in arrays) or not Storage.supported(ctx.backend):
            return None
        shapes = {(id(n), 0): a.shape for n, a in zip(self._inputs, arrays)}
        dtypes = {(id(n), 0): a._data.dtype for n, a in zip(self._inputs, arrays)}
        try:
            return prog.plan(shapes, dtypes, outputs_external=True)
        except (MXNetError, KeyError):
            return None

    def _storage(self, prog, recording):
        """The blocks for one call: shared by the program's calls, or new when recorded."""
        if prog.plan_info is None:
            return None
        if recording:
            if prog.spare_storage:
                return prog.spare_storage.pop()
            return Storage(*prog.plan_info, prog.ctx.backend)
        if prog.storage is None:
            prog.storage = Storage(*prog.plan_info, prog.ctx.backend)
        return prog.storage

    def __call__(self, *args, out=None, default_ctx=None):
        if len(args) != len(self._inputs):
            raise MXNetError(f"CachedOp: expected {len(self._inputs)} inputs "
                             f"{[n.name for n in self._inputs]}, got {len(args)}")
        for n, a in zip(self._inputs, args):
            if not isinstance(a, NDArray):
                raise TypeError(f"CachedOp: input {n.name!r} must be an NDArray")
        recording = FLAGS.recording
        need = tuple(i for i, a in enumerate(args) if recording and a._node is not None)
        prog = self._program(args, need)
        is_train = FLAGS.training
        feed = {id(n): a._data for n, a in zip(self._inputs, args)}
        feed_ctx = None if prog.one_ctx else {id(n): a.context
                                              for n, a in zip(self._inputs, args)}
        storage = self._storage(prog, bool(need))
        values, ctxs = prog.forward(feed, is_train, feed_ctx, storage=storage)
        cls = result_class(args)
        outputs = []
        for e in self._symbol._outputs:
            k = (id(e[0]), e[1])
            data = values[k]
            if e[0].is_variable:
                data = ctxs[k].backend.copy(data)
            outputs.append(cls(data, ctxs[k]))
        if need:
            _record(_CallNode(self, prog, values, ctxs, need, is_train, storage,
                              (feed, is_train, feed_ctx)), Attrs(), list(args), outputs)
        if out is not None:
            targets = out if isinstance(out, (list, tuple)) else [out]
            for t, o in zip(targets, outputs):
                o.copyto(t)
            return out
        return outputs[0] if len(outputs) == 1 else outputs
