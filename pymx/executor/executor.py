"""``Executor``: a Symbol bound to arrays, with ``forward`` and ``backward``.

``sym.simple_bind(ctx, data=(32, 784))`` infers every shape and dtype, allocates the
arguments, gradients and aux states, and binds; ``sym.bind(ctx, args, args_grad,
grad_req, aux_states)`` binds arrays you give.  ``grad_req`` says, per argument, what
``backward`` does with its gradient: ``'write'`` (overwrite), ``'add'`` (accumulate;
you zero it) or ``'null'`` (no buffer, and the backward graph is pruned); it may be
one string, a list in ``list_arguments()`` order, or a dict (missing names: 'null').

BatchNorm's running statistics (aux states) move in ``backward``, as everywhere in
pymx and in MXNet's CPU kernels: ``_backward_BatchNorm`` updates the bound aux arrays
in place, so ``forward(is_train=True)`` alone, or a backward graph pruned away by
``grad_req='null'``, leaves them unchanged.

**Memory.** At bind the executor plans the memory of the whole graph (forward and
backward, ``memory_plan.py``) and preallocates one block per storage id
(``storage.py``); every operator writes its result into its planned block.  So
``debug_str()``'s "Total N MB allocated" is what the executor really holds for
internal entries, and ``MXNET_EXEC_ENABLE_INPLACE`` / ``NNVM_EXEC_MATCH_RANGE`` (read
at bind) change what is really allocated.  As in MXNet, a backward may overwrite
forward values that only it reads; a second ``backward()`` after one ``forward()``
therefore reruns the forward first (same inputs; Dropout draws new masks).
``shared_exec`` and ``reshape`` share the blocks of another executor (MXNet's shared
data pool); ``reshape`` views arrays that shrink instead of copying them.
"""
import numpy as np

from ..base import MXNetError
from ..context import Context, current_context
from .infer_shape import infer_shapes, infer_symbol_shape
from .infer_type import infer_types
from .memory_plan import plan_memory
from .program import Program
from .storage import Storage, planned_memory_enabled

__all__ = ["Executor", "simple_bind"]

_REQS = ("write", "add", "null")


def _as_list(arrays, names, what, allow_missing):
    """Arrays given as a list (in order) or a dict (by name) -> list aligned to names."""
    from ..ndarray.ndarray import NDArray
    if arrays is None:
        arrays = {}
    if isinstance(arrays, dict):          # names the symbol does not have are ignored
        out = [arrays.get(n) for n in names]
    else:
        arrays = list(arrays)
        if len(arrays) != len(names):
            raise ValueError(f"bind: {what} has {len(arrays)} arrays, but the symbol has "
                             f"{len(names)} ({names})")
        out = arrays
    for n, a in zip(names, out):
        if a is None:
            if not allow_missing:      # MXNet's Python bind raises ValueError here
                raise ValueError(f"bind: {what} is missing array {n!r}")
        elif not isinstance(a, NDArray):
            raise TypeError(f"bind: {what}[{n!r}] must be an NDArray, got {type(a).__name__}")
    return out


def _grad_reqs(grad_req, names):
    if isinstance(grad_req, str):
        reqs = [grad_req] * len(names)
    elif isinstance(grad_req, dict):
        reqs = [grad_req.get(n, "null") for n in names]
    else:
        reqs = list(grad_req)
        if len(reqs) != len(names):
            raise ValueError(f"grad_req has {len(reqs)} entries for {len(names)} arguments")
    for r in reqs:
        if r not in _REQS:
            raise ValueError(f"grad_req must be 'write', 'add' or 'null', got {r!r}")
    return reqs


class Executor:
    """A bound symbol.  Create it with ``Symbol.bind`` / ``simple_bind``."""

    def __init__(self, symbol, ctx, args, args_grad=None, grad_req="write", aux_states=None,
                 group2ctx=None, shared_exec=None):
        self._symbol = symbol
        self._ctx = ctx if isinstance(ctx, Context) else (Context(ctx) if ctx else
                                                          current_context())
        arg_nodes, aux_nodes = symbol._variables()
        self._arg_nodes, self._aux_nodes = arg_nodes, aux_nodes
        self._arg_names = [n.name for n in arg_nodes]
        self._aux_names = [n.name for n in aux_nodes]
        self.arg_arrays = _as_list(args, self._arg_names, "args", False)
        self.grad_arrays = _as_list(args_grad, self._arg_names, "args_grad", True)
        self.aux_arrays = _as_list(aux_states, self._aux_names, "aux_states", False)
        reqs = _grad_reqs(grad_req, self._arg_names)
        self._grad_req = {n: (r if g is not None else "null")
                          for n, r, g in zip(self._arg_names, reqs, self.grad_arrays)}
        self.grad_arrays = [g if self._grad_req[n] != "null" else None
                            for n, g in zip(self._arg_names, self.grad_arrays)]
        wrt = [n for n in arg_nodes if self._grad_req[n.name] != "null"]
        self._group2ctx = group2ctx
        self._program = Program(symbol, wrt, self._ctx, group2ctx)
        self._wrt = wrt
        self._values = None
        self._plan = None
        self._storage = None
        self._pool = shared_exec._pool if shared_exec is not None else []
        self._monitor = None
        self._setup_storage()
        self.outputs = self._empty_outputs()

    # ---- dictionaries ------------------------------------------------------------------
    @property
    def arg_dict(self):
        return dict(zip(self._arg_names, self.arg_arrays))

    @property
    def grad_dict(self):
        """Name -> gradient array; ``None`` for arguments with ``grad_req='null'``
        (as MXNet, which lists every argument)."""
        return dict(zip(self._arg_names, self.grad_arrays))

    @property
    def aux_dict(self):
        return dict(zip(self._aux_names, self.aux_arrays))

    @property
    def output_dict(self):
        return dict(zip(self._symbol.list_outputs(), self.outputs))

    def _ctx_of(self, node):
        return self._program.node_ctx(node)

    # ---- shapes and dtypes of every entry (for outputs and the memory plan) ------------
    def _entry_info(self, order):
        shapes, dtypes = {}, {}
        for node, arr in zip(self._arg_nodes + self._aux_nodes,
                             self.arg_arrays + self.aux_arrays):
            shapes[(id(node), 0)] = arr.shape
            dtypes[(id(node), 0)] = np.dtype(arr.dtype)
        if self._program.grad is not None:
            for e, h in zip(self._symbol._outputs, self._program.grad.head_grads):
                pass
        infer_shapes(order, shapes)
        infer_types(order, dtypes)
        if self._program.grad is not None:          # head grads: the outputs' shapes
            for e, h in zip(self._symbol._outputs, self._program.grad.head_grads):
                k = (id(e[0]), e[1])
                if k in shapes:
                    shapes[(id(h), 0)] = shapes[k]
                    dtypes[(id(h), 0)] = dtypes.get(k, np.dtype(np.float32))
            infer_shapes(order, shapes)
            infer_types(order, dtypes)
            for v, g in zip(self._wrt, self._program.grad.grads):   # fallback hint
                if g is not None:
                    shapes.setdefault((id(g[0]), g[1]), shapes.get((id(v), 0)))
        return shapes, dtypes

    def _empty_outputs(self):
        from ..ndarray.ndarray import empty
        try:
            shapes, dtypes = self._entry_info(self._program.forward_order)
        except MXNetError:
            return []
        outs = []
        for e in self._symbol._outputs:
            k = (id(e[0]), e[1])
            if k not in shapes:
                return []
            outs.append(empty(shapes[k], self._ctx_of(e[0]), dtypes.get(k, np.float32)))
        return outs

    def _setup_storage(self):
        """Plan the bound graph and preallocate its blocks (see the module docstring)."""
        try:
            self._plan = self.memory_plan()
        except MXNetError:
            return                           # shapes unknown: ops allocate as they go
        order, _ = self._program.full_graph()
        if (not planned_memory_enabled() or not Storage.supported(self._ctx.backend)
                or any(self._ctx_of(n) != self._ctx for n in order if not n.is_variable)):
            return
        shapes, dtypes = self._plan_info
        self._storage = Storage(self._plan, shapes, dtypes, self._ctx.backend, self._pool)
        self._program.storage = self._storage

    # ---- running -----------------------------------------------------------------------
    def forward(self, is_train=False, **kwargs):
        """Run the forward pass (``is_train``: Dropout/BatchNorm in training mode).
        ``kwargs`` (name=array) are copied into the bound arguments first."""
        from ..ndarray.ndarray import NDArray, array
        arg_dict = self.arg_dict
        for name, value in kwargs.items():
            if not isinstance(value, (NDArray, np.ndarray)):
                raise ValueError("only accept keyword argument of NDArrays and "
                                 "numpy.ndarray")
            if name not in arg_dict:            # MXNet raises TypeError here
                raise TypeError(f"Unknown argument {name}")
            dst = arg_dict[name]
            if not isinstance(value, NDArray):
                value = array(value, dst.context, dst.dtype)
            if value.shape != dst.shape:
                raise ValueError(f"Shape not match! Argument {name}, need: {dst.shape}, "
                                 f"received: {value.shape}")
            value.copyto(dst)
        feed = {id(n): a._data for n, a in zip(self._arg_nodes, self.arg_arrays)}
        ctxs = {id(n): a.context for n, a in zip(self._arg_nodes, self.arg_arrays)}
        for n, a in zip(self._aux_nodes, self.aux_arrays):
            ctxs[id(n)] = a.context
            feed[id(n)] = a._data
        self._program.monitor = self._monitor[0] if self._monitor else None
        self._program.monitor_all = self._monitor[1] if self._monitor else False
        values, vctx = self._program.forward(feed, is_train, ctxs)
        self._values = (values, vctx, is_train)
        self._last_feed = (feed, ctxs, is_train)
        self._backward_ran = False
        outs = []
        for i, e in enumerate(self._symbol._outputs):
            k = (id(e[0]), e[1])
            data = values[k]
            if e[0].is_variable:
                data = vctx[k].backend.copy(data)
            if i < len(self.outputs) and tuple(self.outputs[i].shape) == tuple(data.shape):
                out = self.outputs[i]
                out._data, out._ctx = data, vctx[k]
            else:
                out = NDArray(data, vctx[k])
            outs.append(out)
        self.outputs = outs
        return self.outputs

    def backward(self, out_grads=None, is_train=True):
        """Back-propagate from the outputs into ``grad_arrays`` (per ``grad_req``).
        Loss outputs (SoftmaxOutput, ...) need no ``out_grads``."""
        from ..ndarray.ndarray import NDArray
        if self._program.grad is None:
            return
        if self._values is None:
            raise MXNetError("backward: call forward(is_train=True) first")
        if out_grads is None:
            out_grads = []
        elif isinstance(out_grads, NDArray):
            out_grads = [out_grads]
        elif isinstance(out_grads, dict):
            out_grads = [out_grads.get(n) for n in self._symbol.list_outputs()]
        heads = [None if g is None else g._data for g in out_grads]
        if self._storage is not None and self._backward_ran:
            feed, ctxs, was_train = self._last_feed    # the last backward reused blocks
            values, vctx = self._program.forward(feed, was_train, ctxs)
            self._values = (values, vctx, was_train)
        values, vctx, _ = self._values
        values, vctx = dict(values), dict(vctx)
        self._backward_ran = True
        grads = self._program.backward(values, vctx, heads, is_train)
        for node, g in zip(self._wrt, grads):
            i = self._arg_names.index(node.name)
            dst = self.grad_arrays[i]
            k = dst.context.backend
            req = self._grad_req[node.name]
            if g is None:
                if req == "write":
                    k.setitem(dst._data, Ellipsis, k.full(dst.shape, 0, dst._data.dtype))
                continue
            if g.dtype != dst._data.dtype:
                g = k.astype(g, dst._data.dtype)
            if tuple(g.shape) != tuple(dst.shape):
                raise MXNetError(f"backward: gradient of {node.name!r} has shape "
                                 f"{tuple(g.shape)}, its buffer {dst.shape}")
            if req == "add":
                k.setitem(dst._data, Ellipsis, k.binary("add", dst._data, g))
            else:
                k.setitem(dst._data, Ellipsis, g)

    # ---- utilities ---------------------------------------------------------------------
    def copy_params_from(self, arg_params, aux_params=None, allow_extra_params=False):
        """Copy arrays (by name) into the bound arguments and aux states."""
        for params, target, what in ((arg_params, self.arg_dict, "arguments"),
                                     (aux_params or {}, self.aux_dict, "auxiliary states")):
            for name, arr in params.items():
                if name in target:
                    dst = target[name]
                    arr.astype(dst.dtype).copyto(dst)
                elif not allow_extra_params:
                    raise ValueError(f"Find name \"{name}\" that is not in the {what}")

    def set_monitor_callback(self, callback, monitor_all=False):
        """Call ``callback(name, NDArray)`` for every operator output as it is computed
        (inputs too when ``monitor_all``)."""
        self._monitor = (callback, monitor_all)

    def reshape(self, partial_shaping=False, allow_up_sizing=False, **kwargs):
        """A new executor for new input shapes (MXNet's ``Executor.reshape``).

        Arrays whose shape is unchanged are the same arrays; arrays that shrink (or
        keep their size) are **views** of the old arrays' memory; arrays that grow need
        ``allow_up_sizing=True`` and are new.  The new executor borrows this one's
        internal blocks (``shared_exec=self``), so reshaping to a smaller batch
        allocates nothing.  Changing the shape of an array not named in ``kwargs``
        needs ``partial_shaping=True``."""
        from ..ndarray.ndarray import empty
        arg_shapes, _, aux_shapes = infer_symbol_shape(self._symbol, (), kwargs, False)
        if arg_shapes is None:
            raise MXNetError("reshape: cannot infer all shapes from "
                             f"{kwargs}")

        def remake(name, arr, shape, what):
            shape = tuple(shape)
            if arr is None:
                return None
            if shape == arr.shape:
                return arr
            if not partial_shaping and (name not in kwargs or what == "aux"):
                raise MXNetError(
                    f"Shape of unspecified array {what}:{name} changed. This can cause "
                    "the new executor to not share parameters with the old one. Please "
                    "check for error in the network. If this is intended, set "
                    "partial_shaping=True to suppress this warning.")
            if arr.stype != "default":        # a sparse array: a new empty one
                from ..ndarray.sparse import zeros as sparse_zeros
                return sparse_zeros(arr.stype, shape, arr.context, arr.dtype)
            if int(np.prod(shape)) > arr.size:
                if not allow_up_sizing:
                    raise MXNetError(
                        f"New shape of arg:{name} larger than original. First making a "
                        "big executor and then down sizing it is more efficient than the "
                        "reverse. If you really want to up size, set allow_up_sizing=True "
                        "to enable allocation of new arrays.")
                return empty(shape, arr.context, arr.dtype)
            return _shrunk(arr, shape)

        args = [remake(n, a, s, "arg") for n, a, s in
                zip(self._arg_names, self.arg_arrays, arg_shapes)]
        grads = [remake(n, g, s, "arg") for n, g, s in
                 zip(self._arg_names, self.grad_arrays, arg_shapes)]
        aux = [remake(n, a, s, "aux") for n, a, s in
               zip(self._aux_names, self.aux_arrays, aux_shapes)]
        return Executor(self._symbol, self._ctx, args, grads,
                        [self._grad_req[n] for n in self._arg_names], aux,
                        group2ctx=self._group2ctx, shared_exec=self)

    def memory_plan(self, inplace=None, match_range=None):
        """The static memory plan of the bound graph (forward + backward)."""
        order, heads = self._program.full_graph()
        shapes, dtypes = self._entry_info(order)
        self._plan_info = (shapes, dtypes)
        external = []
        if self._program.grad is not None:
            external = [(id(g[0]), g[1]) for g in self._program.grad.grad_entries()]
        return plan_memory(order, heads, shapes, dtypes, external, inplace, match_range)

    def debug_str(self):
        """The bound graph (forward and backward nodes) and the memory plan's total."""
        from ..symbol.symbol import Symbol
        if self._plan is None:
            self._plan = self.memory_plan()
        _, heads = self._program.full_graph()
        return (Symbol(heads).debug_str() +
                f"Total {self._plan.total_bytes >> 20} MB allocated\n")

    def __repr__(self):
        return f"<Executor {self._symbol.list_outputs()} @{self._ctx}>"


def _shrunk(arr, shape):
    """An NDArray of ``shape`` over the first elements of ``arr``'s memory (MXNet's
    ``NDArray::Reshape`` to a size <= the old one): a view, no copy."""
    from ..ndarray.ndarray import NDArray
    k = arr.context.backend
    n = int(np.prod(shape, dtype=np.int64))
    flat = k.reshape(arr._data, (arr.size,))
    return NDArray(k.reshape(k.getitem(flat, slice(0, n)), tuple(shape)), arr.context)


def simple_bind(symbol, ctx, grad_req="write", type_dict=None, group2ctx=None,
                shared_exec=None, shapes=None, shared_arg_names=None, stype_dict=None):
    """Infer shapes/dtypes from ``shapes`` (name -> shape) and bind fresh arrays.

    With ``shared_exec``, the arguments named in ``shared_arg_names`` (a Module's
    parameters) *are* ``shared_exec``'s arrays, so their shapes must agree (else a
    RuntimeError, as MXNet); other arrays reuse its memory when it is large enough."""
    from ..ndarray.ndarray import zeros
    from ..ndarray.sparse import bind_stypes, zeros as sparse_zeros
    ctx = ctx if isinstance(ctx, Context) else (Context(ctx) if ctx else current_context())
    shapes = dict(shapes or {})
    # MXNet reports any failure of simple_bind's inference as a RuntimeError that
    # lists the arguments given.
    error = "simple_bind error. Arguments:\n" + "".join(f"{k}: {v}\n"
                                                         for k, v in shapes.items())
    try:
        arg_shapes, _, aux_shapes = infer_symbol_shape(symbol, (), shapes, False)
    except MXNetError as err:
        raise RuntimeError(error + str(err)) from None
    if arg_shapes is None:
        partial = infer_symbol_shape(symbol, (), shapes, True)[0]
        unknown = [n for n, s in zip(symbol.list_arguments(), partial) if not s]
        raise RuntimeError(error + f"cannot infer the shapes of {unknown}")
    if type_dict is None:        # MXNet: no type_dict = float32 for every argument
        attrs = symbol.attr_dict()   # that has no __dtype__ attribute
        type_dict = {n: np.float32 for n in symbol.list_arguments()
                     if "__dtype__" not in attrs.get(n, {})}
    # A type_dict given is all that is known: the other dtypes are inferred from it
    # (type_dict={'data': 'float64'} makes the weights float64 too); what inference
    # cannot reach stays float32.
    try:               # (two known dtypes that disagree: float64 data, int32 label)
        arg_types, _, aux_types = symbol.infer_type_partial(**dict(type_dict))
    except MXNetError as err:
        raise RuntimeError(error + str(err)) from None
    arg_types = [np.float32 if t is None else t for t in arg_types]
    aux_types = [np.float32 if t is None else t for t in aux_types]
    names = symbol.list_arguments()
    reqs = _grad_reqs(grad_req, names)
    arg_nodes = symbol._variables()[0]
    shared_args = shared_exec.arg_dict if shared_exec is not None else {}
    shared_grads = shared_exec.grad_dict if shared_exec is not None else {}
    shared_aux = shared_exec.aux_dict if shared_exec is not None else {}

    def node_ctx(node):
        group = node.attrs.get("__ctx_group__")
        return (group2ctx or {}).get(group, ctx) if group else ctx

    arg_stypes, grad_stypes = bind_stypes(symbol, stype_dict)   # sparse arrays

    def make(name, shape, dtype, node, shared, stype="default"):
        """Share ``shared_exec``'s array of that name when it is large enough (same
        shape: the same array; smaller: a view of its memory), else a new one."""
        old = shared.get(name)
        if old is not None and shared_arg_names is not None and name in shared_arg_names:
            if old.shape != tuple(shape):
                raise RuntimeError(error + f"Inferred shape does not match shared_exec."
                                   f"arg_array's shape ({tuple(shape)} vs. {old.shape}) "
                                   f"for the argument {name}")
            return old
        if old is not None and old.dtype == dtype and old.context == node_ctx(node):
            if old.shape == tuple(shape):
                return old
            if old.stype == "default" and old.size >= int(np.prod(shape, dtype=np.int64)):
                return _shrunk(old, shape)
        if stype != "default":
            return sparse_zeros(stype, shape, node_ctx(node), dtype)
        return zeros(shape, node_ctx(node), dtype)

    args = [make(n, s, t, nd, shared_args, arg_stypes[n])
            for n, s, t, nd in zip(names, arg_shapes, arg_types, arg_nodes)]
    grads = [None if r == "null" else make(n, s, t, nd, shared_grads, grad_stypes[n])
             for n, s, t, r, nd in zip(names, arg_shapes, arg_types, reqs, arg_nodes)]
    aux_nodes = symbol._variables()[1]
    aux = [make(n.name, s, t, n, shared_aux) for n, s, t in zip(aux_nodes, aux_shapes,
                                                                aux_types)]
    return Executor(symbol, ctx, args, grads, reqs, aux, group2ctx=group2ctx,
                    shared_exec=shared_exec)
