"""A bound graph, ready to run: the forward nodes, the backward nodes and how to run them.

``Program`` is what ``Executor`` and ``CachedOp`` share.  It works on native arrays:
``forward(feed, is_train)`` evaluates the forward nodes in topological order and
returns every entry's value; ``backward(values, head_grads, is_train)`` evaluates the
backward nodes (built by ``gradient.py``) on top of those values and returns one
gradient per differentiated variable (None for an identically zero gradient).

Each operator node runs ``op.forward(k, attrs, *inputs)`` with the backend ``k`` of
its context.  When ``storage`` is set (a ``storage.Storage``, built by the executor
from the memory plan), every result is written into its planned block, so entries
that share a storage id share memory (``storage.py``): an op that ``takes_out``
computes straight into the block, any other op's new array is copied there.  The plan is simulated over
``full_graph()``'s order; the forward nodes and then the backward nodes run in exactly
that order, which is what makes the plan's reuse safe.  With ``group2ctx`` a node whose ``__ctx_group__`` names a group runs on
that group's context; its inputs are copied there first (model parallelism).
"""
from ..base import FLAGS, MXNetError
from ..symbol.graph import topo_order
from .gradient import build_gradient

__all__ = ["Program"]


class Program:
    """The forward (and, when ``wrt`` is not empty, backward) nodes of ``symbol``."""

    def __init__(self, symbol, wrt=(), ctx=None, group2ctx=None):
        self.symbol = symbol
        self.forward_order = topo_order(symbol._outputs)
        self.grad = build_gradient(symbol, list(wrt)) if wrt else None
        self.backward_order = self.grad.backward_order() if self.grad else []
        self.ctx = ctx
        self.group2ctx = dict(group2ctx or {})
        self.monitor = None
        self.monitor_all = False
        self.storage = None
        self.forward_ops = [n for n in self.forward_order if not n.is_variable]
        self._step_cache = {}
        if self.grad is not None:            # the backward nodes in the plan's order
            order, _ = self.full_graph()
            fwd = {id(n) for n in self.forward_order}
            self.backward_order = [n for n in order
                                   if id(n) not in fwd and not n.is_variable]

    def node_ctx(self, node):
        """The context ``node`` runs on: its ``__ctx_group__``'s context in
        ``group2ctx`` (model parallelism), else the program's default context.
        """
        group = node.attrs.get("__ctx_group__")
        return self.group2ctx.get(group, self.ctx) if group else self.ctx

    def _steps(self, nodes):
        """What ``_run`` needs per node, worked out once per node list: the node, its
        context and backend, its forward function and attributes, the keys of its
        inputs and of its outputs, and whether it takes ``out=``."""
        steps = self._step_cache.get(id(nodes))
        if steps is None:
            steps = self._step_cache[id(nodes)] = []
            for node in nodes:
                ctx = self.node_ctx(node)
                steps.append((node, ctx, ctx.backend, node.op.forward, node.parsed,
                              [(id(e[0]), e[1]) for e in node.inputs],
                              [(id(node), i) for i in range(node.num_outputs())],
                              node.op.takes_out))
        return steps

    def _inputs_on(self, node, ctx, in_keys, values, ctxs):
        """The node's input values, copied to ``ctx`` where they live elsewhere."""
        from ..ndarray.ndarray import _transfer
        datas = []
        for key in in_keys:
            try:
                data = values[key]
            except KeyError:
                name = node.inputs[len(datas)][0].name
                raise MXNetError(f"{node.name} ({node.op.name}): input {name!r} "
                                 "has no value; is it bound?") from None
            src = ctxs.get(key, ctx)
            if src is not ctx and src != ctx:
                data = _transfer(data, src, ctx)
            datas.append(data)
        return datas

    def _run(self, nodes, values, ctxs, is_train, storage=None):
        old = FLAGS.training
        FLAGS.training = is_train
        views = storage.views if storage is not None else {}
        # One context for everything (the usual case): no input needs moving.
        local = not self.group2ctx and all(c is self.ctx for c in ctxs.values())
        try:
            for node, ctx, k, forward, attrs, in_keys, out_keys, takes_out in \
                    self._steps(nodes):
                if local:
                    try:
                        datas = [values[key] for key in in_keys]
                    except KeyError:
                        datas = self._inputs_on(node, ctx, in_keys, values, ctxs)
                else:
                    datas = self._inputs_on(node, ctx, in_keys, values, ctxs)
                into = views.get(out_keys[0]) if takes_out else None
                try:
                    if into is None:
                        res = forward(k, attrs, *datas)
                    else:                      # straight into the planned block
                        res = forward(k, attrs, *datas, out=into)
                except MXNetError as err:
                    raise MXNetError(f"Error in operator {node.name}: {err}") from None
                except (ValueError, IndexError, TypeError, ZeroDivisionError) as err:
                    shapes = ", ".join(f"{n}{tuple(d.shape)}"
                                       for n, d in zip(node.input_names(), datas))
                    raise MXNetError(f"Error in operator {node.name} ({node.op.name}): "
                                     f"{err} (inputs: {shapes})") from None
                if type(res) is not tuple:
                    res = (res,)
                for key, r in zip(out_keys, res):
                    if storage is not None and r is not into:
                        r = storage.place(key, r, node.name)
                    values[key] = r
                    ctxs[key] = ctx
                if self.monitor is not None:
                    self._report(node, ctx, out_keys, len(res), values)
        finally:
            FLAGS.training = old
        return values

    def _report(self, node, ctx, out_keys, n_res, values):
        """Give the monitor callback the node's outputs (all of them with monitor_all)."""
        from ..ndarray.ndarray import NDArray
        n_vis = node.num_visible_outputs() if not self.monitor_all else n_res
        for i in range(n_vis):
            self.monitor(node.entry_name(i), NDArray(values[out_keys[i]], ctx))

    def forward(self, feed, is_train, feed_ctx=None, storage=None):
        """``feed``: id(variable node) -> native array.  Returns (values, ctxs).
        ``storage`` (default ``self.storage``) holds the planned blocks."""
        values, ctxs = {}, {}
        home = self.ctx
        for node in self.forward_order:
            if node.is_variable:
                if id(node) not in feed:
                    raise MXNetError(f"variable {node.name!r} is not bound")
                values[(id(node), 0)] = feed[id(node)]
                ctx = home if feed_ctx is None else feed_ctx.get(id(node), home)
                ctxs[(id(node), 0)] = home if ctx is home or ctx == home else ctx
        self._run(self.forward_ops, values, ctxs, is_train, storage or self.storage)
        return values, ctxs

    def backward(self, values, ctxs, head_grads, is_train=True, storage=None):
        """Run the backward nodes; ``head_grads``: one native array (or None) per
        output.  Returns the gradient per ``wrt`` variable (None when zero)."""
        if self.grad is None:
            return []
        for i in self.grad.head_grad_nodes_used():
            if i >= len(head_grads) or head_grads[i] is None:
                raise MXNetError(
                    "Because the last operator is not Loss function, head_gradient is "
                    "required when calling backward. If you are attempting to minimize "
                    "the output as an objective, please modify your network and pass it "
                    "through the make_loss symbol.")
            values[(id(self.grad.head_grads[i]), 0)] = head_grads[i]
            ctxs[(id(self.grad.head_grads[i]), 0)] = self.ctx
        self._run(self.backward_order, values, ctxs, is_train, storage or self.storage)
        return [None if g is None else values[(id(g[0]), g[1])] for g in self.grad.grads]

    def plan(self, shapes, dtypes, outputs_external=False):
        """Infer every entry's shape and dtype from the variables' (``shapes`` and
        ``dtypes`` map ``(id(node), 0)`` to them) and plan the memory of
        ``full_graph()``.  Gradients are external (the caller keeps them), and so are
        the forward outputs when ``outputs_external`` (CachedOp returns them to the
        user, so the next call must not overwrite them).
        Returns (plan, shapes, dtypes)."""
        import numpy as np
        from .infer_shape import infer_shapes
        from .infer_type import infer_types
        from .memory_plan import plan_memory
        order, heads = self.full_graph()
        shapes, dtypes = dict(shapes), dict(dtypes)
        infer_shapes(self.forward_order, shapes)
        infer_types(self.forward_order, dtypes)
        external = []
        if self.grad is not None:
            for e, h in zip(self.symbol._outputs, self.grad.head_grads):
                shapes[(id(h), 0)] = shapes[(id(e[0]), e[1])]
                dtypes[(id(h), 0)] = dtypes.get((id(e[0]), e[1]), np.dtype(np.float32))
            infer_shapes(order, shapes)
            infer_types(order, dtypes)
            external = [(id(g[0]), g[1]) for g in self.grad.grad_entries()]
        if outputs_external:
            external += [(id(e[0]), e[1]) for e in self.symbol._outputs]
        return plan_memory(order, heads, shapes, dtypes, external), shapes, dtypes

    def full_graph(self):
        """(all nodes in order, heads): the forward outputs and the gradient outputs."""
        heads = list(self.symbol._outputs)
        if self.grad is not None:
            heads += self.grad.grad_entries()
        return topo_order(heads), heads
