"""Graph pass: static memory planning, as MXNet plans it (``src/nnvm/plan_memory.cc``).

After shape and dtype inference every entry has a size.  The planner simulates one
execution in topological order, with a reference count per entry (how many nodes
still have to read it), and gives every entry a *storage id*:

1. **in-place**: an output may take over an input's block when the operator allows it
   (``Op.inplace`` pairs, MXNet's ``FInplaceOption``) and the block's reference count
   is 1, i.e. this node is its **last reader**.  Without that check, ``y = sigmoid(b)``
   would overwrite ``b`` while another node still reads it (notes 3).
2. **sharing** ("co-share"): a block whose reference count drops to zero goes into a
   free list keyed by size.  A request for ``size`` bytes first takes the smallest
   free block in ``[size, size * match_range]``, then the largest in
   ``[size / match_range, size)`` (the block grows to ``size``); otherwise a new
   block is allocated.  Outputs of a node are requested largest first.

Switches, named like MXNet's: ``MXNET_EXEC_ENABLE_INPLACE`` (default 1) and
``NNVM_EXEC_MATCH_RANGE`` (default 16; 0 disables sharing).  Variables (arguments,
aux states) and the gradient outputs written into bound arrays are *external*: they
are not planned.  Forward outputs are planned and never freed.  The total is the sum
of the blocks' sizes: ``debug_str()``'s "Total N MB allocated".

pymx computes the plan (for ``debug_str`` and ``benchmarks/memory_plan.py``); the
NumPy backend itself allocates a fresh array per operator result.  One difference
from MXNet: sizes use the entry's dtype size (MXNet assumes 4 bytes per element).
"""
import bisect
import os

import numpy as np

__all__ = ["plan_memory", "MemoryPlan"]

BAD, EXTERNAL = -1, -2


class _Allocator:
    """MXNet's ``MXGraphAllocator``: blocks with a size and a size-sorted free list."""

    def __init__(self, match_range):
        self.match_range = match_range
        self.sizes = []                 # block id -> bytes (grows when reused bigger)
        self.free = []                  # sorted list of (bytes, block id)

    def request(self, size):
        if self.match_range == 0:
            return self._alloc(size)
        mr = self.match_range
        lo = bisect.bisect_left(self.free, (size // mr, -1))
        mid = bisect.bisect_left(self.free, (size, -1))
        hi = bisect.bisect_right(self.free, (size * mr, float("inf")))
        if mid < hi:                    # smallest free block >= size
            pick = mid
        elif mid > lo:                  # else the largest smaller block
            pick = mid - 1
        else:
            return self._alloc(size)
        _, sid = self.free.pop(pick)
        self.sizes[sid] = max(self.sizes[sid], size)
        return sid

    def release(self, sid):
        bisect.insort(self.free, (self.sizes[sid], sid))

    def _alloc(self, size):
        self.sizes.append(size)
        return len(self.sizes) - 1


class MemoryPlan:
    """``storage``: entry -> block id (-1 unplanned/variable, -2 external);
    ``inplace``: entry -> index of the input whose block it reuses;
    ``block_bytes``: the blocks' sizes; ``total_bytes``: their sum."""

    def __init__(self, storage, inplace, block_bytes):
        self.storage, self.inplace, self.block_bytes = storage, inplace, block_bytes
        self.total_bytes = int(sum(block_bytes))

    def __repr__(self):
        return (f"<MemoryPlan {len(self.block_bytes)} blocks, "
                f"{self.total_bytes / 2 ** 20:.1f} MB, {len(self.inplace)} in-place>")


def _env_int(name, default):
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def plan_memory(order, heads, shapes, dtypes, external=(), inplace=None, match_range=None):
    """Plan the entries of the graph ``order`` (topologically sorted nodes).

    ``heads`` are the entries kept alive to the end (outputs), ``shapes``/``dtypes``
    map ``(id(node), index)`` to shape/dtype, ``external`` lists entries that live in
    bound arrays.  ``inplace``/``match_range`` default to the environment switches."""
    if inplace is None:
        inplace = bool(_env_int("MXNET_EXEC_ENABLE_INPLACE", 1))
    if match_range is None:
        match_range = _env_int("NNVM_EXEC_MATCH_RANGE", 16)
    ref = {}                                   # entry -> readers left
    for node in order:
        if node.is_variable:
            continue
        for e in node.inputs:
            key = (id(e[0]), e[1])
            ref[key] = ref.get(key, 0) + 1
    for e in heads:
        key = (id(e[0]), e[1])
        ref[key] = ref.get(key, 0) + 1
    storage = {key: EXTERNAL for key in external}
    block_ref = {}                             # block id -> readers left
    alloc = _Allocator(match_range)
    inplace_of = {}

    def nbytes(key):
        shape = shapes.get(key)
        if shape is None:
            return None
        return int(np.prod(shape, dtype=np.int64)) * np.dtype(dtypes.get(key, np.float32)).itemsize

    # BEGIN EXERCISE memory_planner
    for node in order:
        if node.is_variable:
            continue
        nid = id(node)
        n_out = node.num_outputs()
        if inplace and node.op.inplace:
            taken = set()
            for i_in, i_out in node.op.inplace_pairs(node.parsed):
                if i_in >= len(node.inputs) or i_out >= n_out:
                    continue
                e = node.inputs[i_in]
                k_in, k_out = (id(e[0]), e[1]), (nid, i_out)
                sid_in = storage.get(k_in, BAD)
                if (i_in not in taken and storage.get(k_out, BAD) == BAD and sid_in >= 0
                        and block_ref[sid_in] == 1 and ref.get(k_out, 0) > 0
                        and nbytes(k_in) == nbytes(k_out)):
                    taken.add(i_in)
                    storage[k_out] = sid_in
                    block_ref[sid_in] += ref[k_out]
                    inplace_of[k_out] = i_in
        todo = [(nid, i) for i in range(n_out) if storage.get((nid, i), BAD) == BAD]
        todo.sort(key=lambda k: nbytes(k) or 0, reverse=True)
        for key in todo:
            size = nbytes(key)
            if size is None:
                continue
            sid = alloc.request(size)
            storage[key] = sid
            block_ref[sid] = ref.get(key, 0)
        for e in node.inputs:
            sid = storage.get((id(e[0]), e[1]), BAD)
            if sid < 0:
                continue
            block_ref[sid] -= 1
            if block_ref[sid] == 0:
                alloc.release(sid)
        for i in range(n_out):
            sid = storage.get((nid, i), BAD)
            if sid >= 0 and block_ref[sid] == 0:
                alloc.release(sid)
    # END EXERCISE memory_planner
    return MemoryPlan(storage, inplace_of, list(alloc.sizes))


def plan_symbol(symbol, shapes, wrt=(), inplace=None, match_range=None, dtype=np.float32):
    """Plan ``symbol`` without binding: ``shapes`` (name -> shape) of the inputs,
    ``wrt`` the names of the arguments that get gradients (empty: prediction only).
    Used by ``benchmarks/memory_plan.py``."""
    from ..symbol.graph import topo_order
    from .gradient import build_gradient
    from .infer_shape import infer_shapes
    from .infer_type import infer_types
    arg_shapes, _, aux_shapes = symbol.infer_shape(**shapes)
    if arg_shapes is None:
        raise ValueError(f"plan_symbol: shapes {shapes} do not determine every shape")
    arg_nodes, aux_nodes = symbol._variables()
    known = {(id(n), 0): s for n, s in zip(arg_nodes + aux_nodes, arg_shapes + aux_shapes)}
    types = {(id(n), 0): np.dtype(dtype) for n in arg_nodes + aux_nodes}
    heads = list(symbol._outputs)
    external = []
    wrt_nodes = [n for n in arg_nodes if n.name in set(wrt)]
    if wrt_nodes:
        grad = build_gradient(symbol, wrt_nodes)
        infer_shapes(topo_order(heads), known)
        for e, h in zip(symbol._outputs, grad.head_grads):
            known[(id(h), 0)] = known[(id(e[0]), e[1])]
            types[(id(h), 0)] = np.dtype(dtype)
        external = [(id(g[0]), g[1]) for g in grad.grad_entries()]
        heads += grad.grad_entries()
    order = topo_order(heads)
    infer_shapes(order, known)
    infer_types(order, types)
    return plan_memory(order, heads, known, types, external, inplace, match_range)
