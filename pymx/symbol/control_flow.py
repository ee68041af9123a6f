"""Control flow for graphs: ``mx.sym.contrib.foreach``, ``while_loop``, ``cond``.

The imperative versions (``ndarray/control_flow.py``) are Python loops.  A graph
cannot loop in Python, so here the body is **traced once**: it is called on
placeholder variables inside ``AttrScope(__subgraph_name__=...)``, which marks every
node it creates.  ``_cut`` then copies the marked nodes into a self-contained Symbol,
the subgraph; whatever the body read from outside (Gluon's weights, an array
computed before the loop) becomes a subgraph variable, fed by an input of the
control-flow node.  The node (``_foreach``, ``_while_loop``, ``_cond``;
``ops/control_flow.py``) runs the subgraph as often as the data says, and its
gradient runs the subgraph's backward graph step by step.  This is what a
``HybridBlock`` calling ``F.contrib.foreach`` becomes after ``hybridize()``.
"""
import collections

from ..attribute import AttrScope
from ..base import MXNetError
from ..ndarray.control_flow import _flatten as _flatten_any, _regroup
from .graph import Node, topo_order
from .symbol import Symbol, var

__all__ = ["foreach", "while_loop", "cond"]

_counts = collections.Counter()


def _unique(name):
    """MXNet's subgraph marker: ``name`` + a per-name count, prefixed ``outer$`` when
    the loop is inside another loop's body."""
    outer = AttrScope.current._attr.get("__subgraph_name__", "")
    name = f"{outer}${name}" if outer else name
    _counts[name] += 1
    return f"{name}{_counts[name] - 1}"


def _flatten(x, what):
    """``(flat list of Symbols, format)``: the imperative versions' helper, for Symbols."""
    return _flatten_any(x, what, Symbol)


def _entry(sym, what):
    if len(sym._outputs) != 1:
        raise MXNetError(f"{what}: each item must be a single-output Symbol, got "
                         f"outputs {sym.list_outputs()}")
    return sym._outputs[0]


def _own_outputs(syms, marker, avoid=()):
    """MXNet's rule for a subgraph's outputs (call it inside the body's scope): one that
    is a variable, was not made by the body, or is in ``avoid`` (a state that is also
    an output) goes through ``identity``, so every output is a node of the body."""
    from . import op
    out = []
    for s in syms:
        node = _entry(s, "loop output")[0]
        if node.is_variable or node.attrs.get("__subgraph_name__") != marker or \
                id(node) in avoid:
            s = op.identity(s)
        out.append(s)
    return out


def _cut(heads, marker, placeholders):
    """Copy the nodes the body made (attribute ``__subgraph_name__ == marker``) into
    a new graph with outputs ``heads``.  Returns ``(subgraph, outer)``: ``outer``
    maps each variable of the subgraph that stands for an outside entry (a weight,
    an array computed before the loop) to that entry."""
    copies, outer_vars, outer = {}, {}, {}

    def outside(entry):
        key = (id(entry[0]), entry[1])
        if key not in outer_vars:
            node = entry[0]
            name = node.name if node.is_variable else node.entry_name(entry[1])
            v = Node(None, name, node.attrs if node.is_variable else {})
            outer_vars[key], outer[id(v)] = v, entry
        return (outer_vars[key], 0, 0)

    def copy(entry):
        node = entry[0]
        if id(node) in placeholders:
            return entry
        if node.is_variable or node.attrs.get("__subgraph_name__") != marker:
            return outside(entry)
        if id(node) not in copies:
            n = Node(node.op, node.name, node.attrs)
            n._parsed, n.subgraphs, n.version = node._parsed, node.subgraphs, node.version
            n.inputs = [copy(e) for e in node.inputs]
            copies[id(node)] = n
        return (copies[id(node)], entry[1], entry[2])

    return Symbol([copy(e) for e in heads]), outer


def _placeholders(syms):
    """One variable per outside Symbol, named as MXNet names it (``data-0``)."""
    return [var(f"{s._outputs[0][0].name}-{s._outputs[0][1]}") for s in syms]


def _inputs(graph):
    return [n for n in topo_order(graph._outputs) if n.is_variable]


def foreach(body, data, init_states, name="foreach"):
    """Symbolic ``foreach``: ``body(data_t, states) -> (outputs, new_states)`` traced
    once on placeholders and run over axis 0 of ``data`` by a ``_foreach`` node.
    Returns ``(outputs stacked on axis 0, final states)`` in the body's structure."""
    from . import op
    flat_data, data_fmt = _flatten(data, "foreach: data")
    flat_init, state_fmt = _flatten(init_states, "foreach: init_states")
    marker = _unique(name)
    with AttrScope(__subgraph_name__=marker):
        data_ph = _placeholders(flat_data)
        state_ph = _placeholders(flat_init)
        outs, states = body(_regroup(data_ph, data_fmt), _regroup(state_ph, state_fmt))
        flat_out, out_fmt = _flatten(outs if outs is not None else [], "foreach: body output")
        flat_states, _ = _flatten(states if states is not None else [],
                                  "foreach: body states")
        flat_out = _own_outputs(flat_out, marker)
        flat_states = _own_outputs(flat_states, marker,
                                   {id(_entry(o, "foreach")[0]) for o in flat_out})
    if len(flat_states) != len(flat_init):
        raise MXNetError(f"foreach: the body returned {len(flat_states)} states for "
                         f"{len(flat_init)} initial states")
    heads = [_entry(s, "foreach") for s in flat_out + flat_states]
    ph = {id(_entry(p, "foreach")[0]) for p in data_ph + state_ph}
    graph, outer = _cut(heads, marker, ph)
    gin = _inputs(graph)
    pos = {id(n): i for i, n in enumerate(gin)}
    remains = [n for n in gin if id(n) in outer]
    inputs = flat_data + flat_init + [Symbol([outer[id(n)]]) for n in remains]
    res = op._foreach(
        *inputs, subgraphs=[graph], num_args=len(inputs) + 1,
        num_outputs=len(heads), num_out_data=len(flat_out),
        in_data_locs=[pos.get(id(p._outputs[0][0]), -1) for p in data_ph],
        in_state_locs=[pos.get(id(p._outputs[0][0]), -1) for p in state_ph],
        remain_locs=[pos[id(n)] for n in remains])
    items = [res[i] for i in range(len(heads))]
    out = _regroup(items[:len(flat_out)], out_fmt) if outs is not None else []
    return out, _regroup(items[len(flat_out):], state_fmt)


def _union(graphs):
    """The node inputs of several subgraphs, MXNet's ``_union_inputs``: every outside
    entry their inputs stand for, once, in order of appearance.  ``graphs``: a list of
    ``(subgraph, outer)``.  Returns ``(entries, locs)``, ``locs[g][j]`` the node input
    feeding input ``j`` of subgraph ``g``."""
    entries, index, all_locs = [], {}, []
    for graph, outer in graphs:
        locs = []
        for n in _inputs(graph):
            e = outer[id(n)]
            key = (id(e[0]), e[1])
            if key not in index:
                index[key] = len(entries)
                entries.append(e)
            locs.append(index[key])
        all_locs.append(locs)
    return entries, all_locs


def _subgraph(heads, marker, placeholders, values):
    """``_cut`` where placeholder ``i`` stands for the outside entry ``values[i]``."""
    ph = {id(_entry(p, "placeholder")[0]): _entry(v, "loop_vars")
          for p, v in zip(placeholders, values)}
    graph, outer = _cut(heads, marker, set(ph))
    outer.update(ph)
    return graph, outer


def while_loop(cond, func, loop_vars, max_iterations=None, name="while_loop"):
    """Symbolic ``while_loop``: ``cond(*loop_vars)`` and ``func(*loop_vars) ->
    (step_output, new_loop_vars)`` traced once, run by a ``_while_loop`` node at
    most ``max_iterations`` times.  Returns ``(outputs, final loop_vars)``: each step
    output stacked on axis 0 and zero-padded to ``max_iterations`` rows."""
    from . import op
    if max_iterations is None:
        raise ValueError("max_iterations should be specified")
    single = isinstance(loop_vars, Symbol)
    flat_vars, var_fmt = _flatten(loop_vars, "while_loop: loop_vars")
    if not flat_vars:
        raise ValueError("loop_vars should contain at least one element")
    traced = []
    for part in ("cond", "func"):
        marker = _unique(f"{name}_{part}")
        with AttrScope(__subgraph_name__=marker):
            ph = _placeholders(flat_vars)
            args = _regroup(ph, var_fmt) if var_fmt is not None else ph
            if part == "cond":
                res = _own_outputs([cond(*args)], marker)
            else:
                step, new_vars = func(*args)
                flat_step, step_fmt = _flatten([] if step is None else step,
                                               "while_loop: step_output")
                flat_new, _ = _flatten([] if new_vars is None else new_vars,
                                       "while_loop: loop_vars")
                res = _own_outputs(flat_step + flat_new, marker)
        traced.append((res, marker, ph))
    (pred, cond_marker, cond_ph), (func_outs, func_marker, func_ph) = traced
    if len(flat_new) != len(flat_vars):
        raise ValueError("The number of loop_vars should be consistent during the loop")
    graphs = [_subgraph([_entry(pred[0], "while_loop: cond")], cond_marker, cond_ph,
                        flat_vars),
              _subgraph([_entry(s, "while_loop") for s in func_outs], func_marker, func_ph,
                        flat_vars)]
    entries, (cond_locs, func_locs) = _union(graphs)
    func_inputs = [id(n) for n in _inputs(graphs[1][0])]
    var_locs = []
    for i, p in enumerate(func_ph, 1):
        if id(p._outputs[0][0]) not in func_inputs:
            raise ValueError(f"The {i}-th loop_var doesn't involve into the computation")
        var_locs.append(func_inputs.index(id(p._outputs[0][0])))
    res = op._while_loop(
        *[Symbol([e]) for e in entries], subgraphs=[g for g, _ in graphs],
        num_args=len(entries) + 2, num_outputs=len(flat_step) + len(flat_vars),
        num_out_data=len(flat_step), max_iterations=int(max_iterations),
        cond_input_locs=cond_locs, func_input_locs=func_locs, func_var_locs=var_locs)
    items = [res[i] for i in range(len(flat_step) + len(flat_vars))]
    outs = _regroup(items[:len(flat_step)], step_fmt) if flat_step else []
    final = items[len(flat_step):]
    return outs, (final[0] if single else _regroup(final, var_fmt))


def cond(pred, then_func, else_func, name="cond"):
    """Symbolic ``cond``: ``pred`` is a Symbol (its first element decides);
    ``then_func()`` and ``else_func()`` are traced once, and a ``_cond`` node runs
    only the branch taken.  Returns what the branches return (same structure)."""
    from . import op
    if not isinstance(pred, Symbol):
        raise TypeError(f"cond: pred must be a Symbol, got {type(pred).__name__}")
    results = []
    for part, fn in (("pred", lambda: pred), ("then", then_func), ("else", else_func)):
        marker = _unique(f"{name}_{part}")
        with AttrScope(__subgraph_name__=marker):
            outs, fmt = _flatten(fn(), f"cond: {part} output")
            results.append((_own_outputs(outs, marker), fmt, marker))
    _, (then_out, fmt, _), (else_out, _, _) = results
    if len(then_out) != len(else_out):
        raise MXNetError(f"cond: then_func returned {len(then_out)} outputs, else_func "
                         f"{len(else_out)}")
    graphs = [_cut([_entry(s, "cond") for s in outs], marker, set())
              for outs, _, marker in results]
    entries, (pred_locs, then_locs, else_locs) = _union(graphs)
    res = op._cond(*[Symbol([e]) for e in entries], subgraphs=[g for g, _ in graphs],
                   num_args=len(entries) + 3, num_outputs=len(then_out),
                   cond_input_locs=pred_locs, then_input_locs=then_locs,
                   else_input_locs=else_locs)
    return _regroup([res[i] for i in range(len(then_out))], fmt)
