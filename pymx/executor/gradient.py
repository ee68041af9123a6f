"""Graph pass: the gradient graph, built from the same rules autograd uses.

Autograd calls ``Op.gradient(F, a, xs, ys, dys)`` with ``F = mx.nd`` on arrays; here
the same rule is called with ``F = mx.sym`` on Symbols that stand for the forward
node's inputs ``xs``, outputs ``ys`` and output gradients ``dys``.  What comes back
are Symbols: new nodes of the backward graph, wired to the forward nodes.  Walking
the forward graph in reverse topological order (nnvm's ``Gradient`` pass):

1. a node's output gradient is the sum (``add_n``) of what its consumers sent back;
2. nodes that cannot reach a variable we differentiate are skipped (pruning: with
   ``grad_req='null'`` there is no backward graph at all);
3. **zero propagation**: a gradient that is ``zeros_like(..)`` (BlockGrad's rule)
   counts as no gradient, and a node whose output gradients are all zero sends none
   back, so ``stop_gradient`` prunes the backward graph exactly as ``grad_req='null'``
   does (MXNet's ``test_zero_prop``).

Every output of the symbol gets a *head gradient* variable.  Loss operators
(``SoftmaxOutput``, ``*RegressionOutput``, ``MakeLoss``) ignore theirs, so it stays
unused and ``backward()`` needs no ``out_grads`` for them.
"""
from contextlib import contextmanager

from ..attribute import AttrScope
from ..base import MXNetError
from ..name import Prefix
from ..symbol.graph import Node, topo_order
from ..symbol.symbol import Symbol

__all__ = ["build_gradient", "GradientGraph"]

_ZERO_OPS = ("zeros_like", "_zeros")


@contextmanager
def _scope_of(node):
    """Backward nodes are named after the forward node and inherit its ctx_group."""
    old = getattr(AttrScope._local, "current", None)
    group = node.attrs.get("__ctx_group__")
    AttrScope._local.current = AttrScope(ctx_group=group) if group else AttrScope()
    try:
        with Prefix(f"{node.name}_"):
            yield
    finally:
        AttrScope._local.current = old


def _is_zero(sym):
    node = sym._outputs[0][0]
    return node.op is not None and node.op.name in _ZERO_OPS


class GradientGraph:
    """The result of the pass: ``forward`` (the symbol), ``head_grads`` (one
    variable node per output), ``wrt`` (variable nodes) and ``grads`` (one entry per
    ``wrt``, or None when the gradient is identically zero)."""

    def __init__(self, symbol, head_grads, wrt, grads):
        self.symbol, self.head_grads, self.wrt, self.grads = symbol, head_grads, wrt, grads
        self._heads_used = None

    def grad_entries(self):
        """The graph entries ``(node, index, version)`` of the gradients that are not
        identically zero (the heads of the backward graph).
        """
        return [g for g in self.grads if g is not None]

    def grad_symbols(self):
        """One Symbol per ``wrt`` variable for its gradient, or None where the
        gradient is identically zero (pruned by zero propagation).
        """
        return [None if g is None else Symbol([g]) for g in self.grads]

    def backward_order(self):
        """The backward nodes (not in the forward graph), in execution order."""
        fwd = {id(n) for n in topo_order(self.symbol._outputs)}
        return [n for n in topo_order(self.grad_entries())
                if id(n) not in fwd and not n.is_variable]

    def head_grad_nodes_used(self):
        """Indices of the outputs whose head gradient the backward graph reads
        (computed once: every backward call asks)."""
        if self._heads_used is None:
            used = {id(n) for n in topo_order(self.grad_entries())}
            self._heads_used = [i for i, h in enumerate(self.head_grads) if id(h) in used]
        return self._heads_used


class _Constant(Symbol):
    """An input no gradient flows to, as the rules see it: like an NDArray off the
    tape, its ``_node`` is None, so a rule may skip that gradient (FullyConnected then
    does not compute ``dy W`` for the data, as MXNet's req='null' does)."""
    __slots__ = ()
    _node = None


def build_gradient(symbol, wrt):
    """Build the backward graph of ``symbol`` for the variable nodes ``wrt``."""
    from .. import symbol as F
    order = topo_order(symbol._outputs)
    wanted = {id(n) for n in wrt}
    need = set()
    for node in order:                       # nodes that lead to a wanted variable
        if id(node) in wanted or any(id(e[0]) in need for e in node.inputs):
            need.add(id(node))
    ograds = {}
    head_grads = []
    for e in symbol._outputs:
        h = Node(None, f"{e[0].entry_name(e[1])}_head_grad")
        head_grads.append(h)
        if id(e[0]) in need:
            ograds.setdefault((id(e[0]), e[1]), []).append(Symbol([(h, 0, 0)]))

    def total(node, gs):
        if not gs:
            return None
        if len(gs) == 1:
            return gs[0]
        with _scope_of(node):
            return F.add_n(*gs, name=f"{node.name}_sum_grad")

    for node in reversed(order):
        if node.is_variable or id(node) not in need:
            continue
        n_out = node.num_outputs()
        outs = [total(node, ograds.pop((id(node), i), [])) for i in range(n_out)]
        if all(g is None for g in outs):
            continue                         # zero propagation
        if node.op.gradient is None:
            raise MXNetError(f"operator {node.name} ({node.op.name}) has no gradient "
                             "rule; set grad_req='null' for the inputs before it")
        xs = [Symbol([e]) if id(e[0]) in need else _Constant([e]) for e in node.inputs]
        ys = [Symbol([(node, i, 0)]) for i in range(n_out)]
        with _scope_of(node):
            dys = [g if g is not None else F.zeros_like(ys[i]) for i, g in enumerate(outs)]
            try:
                in_grads = node.op.gradient(F, node.parsed, xs, ys, dys)
            except Exception as err:
                raise MXNetError(f"building the gradient of {node.name} "
                                 f"({node.op.name}) with F = mx.sym failed: "
                                 f"{type(err).__name__}: {err}") from err
        if len(in_grads) < len(node.inputs):
            raise MXNetError(f"gradient rule of {node.op.name} returned {len(in_grads)} "
                             f"gradients for {len(node.inputs)} inputs")
        for e, g in zip(node.inputs, in_grads):
            if g is None or id(e[0]) not in need:
                continue
            if not isinstance(g, Symbol):
                raise MXNetError(f"gradient rule of {node.op.name} returned a "
                                 f"{type(g).__name__}, not a Symbol, under F = mx.sym")
            if len(g) != 1:
                raise MXNetError(f"gradient rule of {node.op.name} returned a symbol "
                                 f"with {len(g)} outputs for one input")
            if _is_zero(g):
                continue
            ograds.setdefault((id(e[0]), e[1]), []).append(g)
    grads = []
    for v in wrt:
        g = total(v, ograds.get((id(v), 0), []))
        grads.append(None if g is None else g._outputs[0])
    return GradientGraph(symbol, head_grads, list(wrt), grads)
