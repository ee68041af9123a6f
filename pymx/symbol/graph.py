"""The one graph representation every Symbol and every graph pass works on.

A graph is a set of ``Node`` s.  A node is either a **variable** (``op is None``: an
argument such as ``data``/``fc1_weight``, or an auxiliary state such as
``bn_moving_mean``) or an **operator call** (``op`` is an ``Op`` of the registry).
A node's inputs are *entries* ``(node, output_index, version)``: output
``output_index`` of another node (``version`` counts in-place updates of a variable,
as in nnvm; it is 1 for an aux state that an op mutates).  A Symbol is just a list of
output entries; everything reachable from them is its graph.

``topo_order`` is nnvm's ``DFSVisit``: depth first, inputs in order, post-order, so
every node comes after its inputs.  The JSON file lists nodes in exactly this order.
"""
from ..base import MXNetError
from ..ops.params import Attrs

__all__ = ["Node", "topo_order", "HIDDEN_KEYS"]

#: keys stored as ``__key__`` (MXNet's ``kHiddenKeys``): ``attr('lr_mult')`` reads
#: ``__lr_mult__``.
HIDDEN_KEYS = ("ctx_group", "lr_mult", "wd_mult", "force_mirroring", "mirror_stage")


class Node:
    """One node: ``op`` (None for a variable), ``name``, the string ``attrs`` (operator
    parameters as written in JSON plus hidden ``__key__`` attributes), ``inputs``
    (a list of entries ``(node, index, version)``) and ``subgraphs``: the Symbols a
    control-flow operator runs (a loop body; ``ops/control_flow.py``), empty for others."""
    __slots__ = ("op", "name", "attrs", "inputs", "version", "control_deps", "_parsed",
                 "subgraphs", "__weakref__")

    def __init__(self, op, name, attrs=None, inputs=()):
        self.op, self.name = op, name
        self.attrs = dict(attrs or {})
        self.inputs = list(inputs)
        self.version = 0                     # variables: how often an op mutated it
        self.control_deps = []
        self._parsed = None
        self.subgraphs = ()

    @property
    def is_variable(self):
        return self.op is None

    @property
    def parsed(self):
        """The operator's parsed attributes (keys that are not parameters are ignored,
        e.g. ``__lr_mult__`` or attributes of a newer MXNet)."""
        if self._parsed is None:
            op = self.op
            given = {k: v for k, v in self.attrs.items() if k in op.params}
            try:
                self._parsed = op.parse_attrs(given)
            except MXNetError as err:
                raise MXNetError(f"operator {self.name} ({op.name}): {err}") from None
            if self.subgraphs:
                self._parsed = Attrs(self._parsed, subgraphs=tuple(self.subgraphs))
        return self._parsed

    def num_outputs(self):
        """All outputs, hidden ones included (BatchNorm: 3)."""
        return 1 if self.op is None else self.op.num_outputs(self.parsed)

    def num_visible_outputs(self):
        """How many outputs the user sees: BatchNorm computes (out, mean, var) but
        shows 1 unless ``output_mean_var``; a variable has 1.
        """
        return 1 if self.op is None else self.op.num_visible_outputs(self.parsed)

    def output_names(self):
        """``['output']``, ``['output', 'mean', 'var']``, or ``output0..`` for ops whose
        outputs are not named."""
        if self.op is None:
            return [""]
        names = self.op.output_names(self.parsed)
        return names

    def input_names(self):
        """The names of the operator's inputs for these attributes (``['data',
        'weight', 'bias']``; ``no_bias=True`` drops 'bias'; ``arg0..`` for variadic ops).
        """
        return self.op.input_names(self.parsed)

    def mutable_inputs(self):
        """Indices of the inputs this op updates in place (its aux states)."""
        if self.op is None or not self.op.aux:
            return ()
        names = self.input_names()
        return tuple(i for i, n in enumerate(names) if n in self.op.aux)

    def entry_name(self, index):
        """``fc1_output``, ``bn_mean``, ``slice_output1``; a variable's own name."""
        if self.op is None:
            return self.name
        return f"{self.name}_{self.output_names()[index]}"

    def __repr__(self):
        return f"<Node {self.name} ({self.op.name if self.op else 'variable'})>"


def topo_order(entries):
    """Nodes reachable from ``entries`` (a list of ``(node, index, ...)``), each after
    its inputs (and control dependencies), in nnvm's DFS post-order."""
    order, seen = [], set()
    for head in entries:
        root = head[0]
        if id(root) in seen:
            continue
        seen.add(id(root))
        stack = [(root, 0)]
        while stack:
            node, i = stack[-1]
            deps = node.control_deps + [e[0] for e in node.inputs]
            if i < len(deps):
                stack[-1] = (node, i + 1)
                child = deps[i]
                if id(child) not in seen:
                    seen.add(id(child))
                    stack.append((child, 0))
            else:
                stack.pop()
                order.append(node)
    return order
