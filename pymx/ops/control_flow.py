"""Control flow as graph operators: ``_foreach``, ``_while_loop``, ``_cond``.

``mx.sym.contrib.foreach/while_loop/cond`` (``symbol/control_flow.py``) trace the
Python body once on placeholder variables and cut what it built into a
self-contained Symbol, the **subgraph**.  The node keeps its subgraphs in
``node.subgraphs`` (nnvm's nodes do the same; JSON nests them under ``"subgraphs"``)
and its forward runs them as often as the data says, on native arrays, through the
same ``Program`` an executor uses.  The node's inputs feed the subgraph's inputs (in
``list_inputs()`` order) as the ``*_locs`` attributes say (MXNet's attributes, so
symbol JSON goes both ways; ``num_args`` counts the subgraphs too):

* ``_foreach`` (one subgraph ``body``; outputs: step outputs + new states): inputs are
  the data arrays, the initial states, then the *remains* (weights and anything else
  the body read from outside).  ``in_data_locs[i]``/``in_state_locs[i]``/
  ``remain_locs[i]`` give the subgraph input each of them feeds (-1: the body did not
  read it).  Step ``t`` feeds ``data[t]``; outputs are stacked on a new axis 0.
* ``_while_loop`` (subgraphs ``cond``, ``func``): ``cond_input_locs[j]``/
  ``func_input_locs[j]`` name the node input that feeds subgraph input ``j``, and
  ``func_var_locs[i]`` the input of ``func`` that holds loop variable ``i``.  ``func``
  returns step outputs + new loop variables; the step outputs are stacked and padded
  with zeros to ``max_iterations`` rows (MXNet leaves the padding undefined).
* ``_cond`` (subgraphs ``pred``, ``then``, ``else``): one branch runs, chosen by the
  first element of ``pred``'s output.

**Gradients** are backpropagation through time: ``_backward_*`` runs the loop forward
again, keeping every step's values, then walks the steps backwards, running the
subgraph's backward graph (``executor/gradient.py``) with the output gradient of each
step plus the gradient flowing into the carried states.  Gradients of the remains
(weights) add up over the steps.
"""
import weakref

import numpy as np

from ..base import MXNetError
from .registry import Param, register

__all__ = []


# ---- running a subgraph -------------------------------------------------------------------
def _context(k):
    """The context of backend ``k`` (the subgraph runs where the node runs)."""
    from ..context import BACKEND_OF, Context, current_context
    ctx = current_context()
    if ctx.backend is k:
        return ctx
    device = next((d for d, name in BACKEND_OF.items() if name == k.name), k.name)
    return Context(device, k.device_id)


class _Graph:
    """A subgraph compiled for runs on native arrays: ``forward(arrays)`` and
    ``vjp(arrays, head_grads)``, ``arrays`` in ``list_inputs()`` order."""

    def __init__(self, sym, ctx):
        from ..symbol.graph import topo_order
        self.sym, self.ctx = sym, ctx
        self.inputs = [n for n in topo_order(sym._outputs) if n.is_variable]
        self.out_keys = [(id(e[0]), e[1]) for e in sym._outputs]
        self._programs = {}

    def _program(self, wrt):
        from ..executor.program import Program
        prog = self._programs.get(wrt)
        if prog is None:
            prog = self._programs[wrt] = Program(self.sym, [self.inputs[i] for i in wrt],
                                                 self.ctx)
        return prog

    def _feed(self, arrays):
        if len(arrays) != len(self.inputs):
            raise MXNetError(f"subgraph: {len(arrays)} inputs for "
                             f"{[n.name for n in self.inputs]}")
        return {id(n): x for n, x in zip(self.inputs, arrays)}

    def forward(self, arrays, is_train):
        values, _ = self._program(()).forward(self._feed(arrays), is_train)
        return [values[key] for key in self.out_keys]

    def vjp(self, arrays, head_grads, is_train):
        """Gradient of ``sum(head_grads * outputs)`` w.r.t. every input (zeros for
        integer inputs, which take none)."""
        k = self.ctx.backend
        wrt = tuple(i for i, x in enumerate(arrays) if np.dtype(x.dtype).kind == "f")
        prog = self._program(wrt)
        values, ctxs = prog.forward(self._feed(arrays), is_train)
        grads = prog.backward(values, ctxs, list(head_grads), is_train)
        out = [k.full(tuple(x.shape), 0, x.dtype) for x in arrays]
        for i, g in zip(wrt, grads):
            if g is not None:
                out[i] = g
        return out


def _graphs(k, a):
    """The node's subgraphs compiled for ``k`` (cached per subgraph while it lives)."""
    ctx = _context(k)
    out = []
    for sym in a.subgraphs:
        key = id(sym)                               # (Symbol's == builds a node: no dict key)
        ref, cache = _CACHE.get(key, (None, None))
        if ref is None or ref() is not sym:
            ref = weakref.ref(sym, lambda _, key=key: _CACHE.pop(key, None))
            cache = {}
            _CACHE[key] = (ref, cache)
        if ctx not in cache:
            cache[ctx] = _Graph(sym, ctx)
        out.append(cache[ctx])
    return out


_CACHE = {}


def _is_train():
    from ..base import FLAGS
    return FLAGS.training


def _add(k, a, b):
    return b if a is None else k.binary("add", a, b)


def _stack(k, rows, shape, dtype, length):
    """``rows`` stacked on a new axis 0, padded with zero rows up to ``length``."""
    rows = list(rows) + [k.full(tuple(shape), 0, dtype)] * (length - len(rows))
    return k.stack(rows, 0)


def _sub_shapes(sym, known, fill):
    """Shape (``fill=infer_shapes``) or dtype inference inside ``sym``: ``known`` maps
    subgraph input index -> shape/dtype.  Returns (input values, output values)."""
    from ..symbol.graph import topo_order
    order = topo_order(sym._outputs)
    inputs = [n for n in order if n.is_variable]
    table = {(id(n), 0): v for i, n in enumerate(inputs)
             if (v := known.get(i)) is not None}
    fill(order, table)
    return ([table.get((id(n), 0)) for n in inputs],
            [table.get((id(e[0]), e[1])) for e in sym._outputs])


def _infer_shapes(order, table):
    from ..executor.infer_shape import infer_shapes
    return infer_shapes(order, table)


def _infer_types(order, table):
    from ..executor.infer_type import infer_types
    return infer_types(order, table)


# ---- foreach ----------------------------------------------------------------------------
def _foreach_split(a, xs):
    n_data, n_state = len(a.in_data_locs), len(a.in_state_locs)
    return xs[:n_data], list(xs[n_data:n_data + n_state]), xs[n_data + n_state:]


def _foreach_feed(a, n_inputs, data_t, states, remains):
    """The body's inputs, in its ``list_inputs()`` order, for one step."""
    arrays = [None] * n_inputs
    for locs, values in ((a.in_data_locs, data_t), (a.in_state_locs, states),
                         (a.remain_locs, remains)):
        for loc, v in zip(locs, values):
            if loc >= 0:
                arrays[loc] = v
    return arrays


def _foreach(k, a, *xs):
    (body,) = _graphs(k, a)
    data, states, remains = _foreach_split(a, xs)
    length = data[0].shape[0]
    is_train = _is_train()
    steps = []
    for t in range(length):
        res = body.forward(_foreach_feed(a, len(body.inputs), [k.getitem(d, t) for d in data],
                                         states, remains), is_train)
        steps.append(res[:a.num_out_data])
        states = res[a.num_out_data:]
    outs = [k.stack([s[i] for s in steps], 0) for i in range(a.num_out_data)]
    return tuple(outs + list(states))


def _backward_foreach(k, a, *args):
    (body,) = _graphs(k, a)
    dys, xs = args[:a.num_outputs], args[a.num_outputs:]
    data, states, remains = _foreach_split(a, xs)
    is_train = _is_train()
    feeds = []
    for t in range(data[0].shape[0]):           # forward again, keeping each step's inputs
        feeds.append(_foreach_feed(a, len(body.inputs), [k.getitem(d, t) for d in data],
                                   states, remains))
        states = body.forward(feeds[-1], is_train)[a.num_out_data:]
    d_states = list(dys[a.num_out_data:])
    d_data = [[None] * len(feeds) for _ in data]
    d_remains = [None] * len(remains)
    for t in reversed(range(len(feeds))):
        heads = [k.getitem(dy, t) for dy in dys[:a.num_out_data]] + d_states
        g = body.vjp(feeds[t], heads, is_train)
        for j, loc in enumerate(a.in_data_locs):
            d_data[j][t] = g[loc] if loc >= 0 else k.full(tuple(data[j].shape[1:]), 0,
                                                           data[j].dtype)
        d_states = [g[loc] if loc >= 0 else k.full(tuple(s.shape), 0, s.dtype)
                    for loc, s in zip(a.in_state_locs, states)]
        for j, loc in enumerate(a.remain_locs):
            if loc >= 0:
                d_remains[j] = _add(k, d_remains[j], g[loc])
    d_remains = [d if d is not None else k.full(tuple(r.shape), 0, r.dtype)
                 for d, r in zip(d_remains, remains)]
    return tuple([k.stack(rows, 0) for rows in d_data] + d_states + d_remains)


def _foreach_infer(fill, shapes):
    """Shape (``shapes``) or dtype rule of ``_foreach``: the body's inference with a
    data array's step shape (its axis 0 dropped); step outputs get axis 0 back."""
    def rule(a, ins):
        (body,) = a.subgraphs
        data, states, remains = _foreach_split(a, ins)
        known = {}
        for locs, values, per_step in ((a.in_data_locs, data, shapes),
                                       (a.in_state_locs, states, False),
                                       (a.remain_locs, remains, False)):
            for loc, v in zip(locs, values):
                if loc >= 0 and v is not None:
                    known[loc] = tuple(v[1:]) if per_step else v
        sub_in, sub_out = _sub_shapes(body, known, fill)
        new_ins = list(ins)
        for i, loc in enumerate(a.in_state_locs + a.remain_locs, start=len(data)):
            if loc >= 0 and new_ins[i] is None:     # weights learn their shapes in the body
                new_ins[i] = sub_in[loc]
        steps = sub_out[:a.num_out_data]
        if shapes:
            length = data[0][0] if data and data[0] is not None else None
            steps = [None if s is None or length is None else (length,) + tuple(s)
                     for s in steps]
        return new_ins, steps + list(sub_out[a.num_out_data:])
    return rule


def _loop_gradient(backward_op):
    def gradient(F, a, xs, ys, dys):
        grads = getattr(F, backward_op)(*dys, *xs, **a)
        return [grads[i] for i in range(len(xs))]
    return gradient


_LOCS = "indices into the subgraph's inputs (-1: unused)"
_FOREACH_PARAMS = {
    "num_args": Param("int", doc="number of array inputs + 1 (the subgraph)"),
    "num_outputs": Param("int", doc="step outputs + states"),
    "num_out_data": Param("int", doc="number of step outputs (stacked on axis 0)"),
    "in_data_locs": Param("ints", doc=f"data: {_LOCS}"),
    "in_state_locs": Param("ints", doc=f"initial states: {_LOCS}"),
    "remain_locs": Param("ints", doc=f"other inputs: {_LOCS}"),
}


def _n_inputs(a):
    """The array inputs: MXNet's ``num_args`` also counts the subgraphs."""
    return [f"data{i}" for i in range(a.num_args - len(a.get("subgraphs", ())))]


def _n_outputs(a):
    return [f"output{i}" for i in range(a.num_outputs)]


def _bwd_inputs(a):
    return [f"ograd{i}" for i in range(a.num_outputs)] + _n_inputs(a)


def _bwd_outputs(a):
    return [f"{name}_grad" for name in _n_inputs(a)]


def _bwd_shapes(a, ins):
    return ins, list(ins[a.num_outputs:])


def _bwd_types(a, ins):
    return ins, list(ins[a.num_outputs:])


register("_foreach", _foreach, inputs=_n_inputs, params=_FOREACH_PARAMS, outputs=_n_outputs,
         infer_shape=_foreach_infer(_infer_shapes, True),
         infer_type=_foreach_infer(_infer_types, False),
         gradient=_loop_gradient("_backward_foreach"),
         doc="""Run the subgraph ``body`` over axis 0 of the data, carrying states
(``mx.sym.contrib.foreach`` builds it).  Outputs: each step output stacked on a new
axis 0, then the last states.""")
register("_backward_foreach", _backward_foreach, inputs=_bwd_inputs, params=_FOREACH_PARAMS,
         outputs=_bwd_outputs, infer_shape=_bwd_shapes, infer_type=_bwd_types,
         doc="Backpropagation through time for ``_foreach``: one gradient per input.")


# ---- while_loop -------------------------------------------------------------------------
def _pick(values, locs):
    return [values[j] for j in locs]


def _var_positions(a):
    """The node input that holds each loop variable (MXNet: through ``func``'s inputs)."""
    return [a.func_input_locs[j] for j in a.func_var_locs]


def _while_steps(k, a, xs, is_train):
    """Run the loop.  Returns ``(steps, final loop vars, func)``; a step is ``(func's
    inputs, its step outputs)``."""
    cond, func = _graphs(k, a)
    where = _var_positions(a)
    current = list(xs)
    steps = []
    while len(steps) < a.max_iterations:
        pred = cond.forward(_pick(current, a.cond_input_locs), is_train)[0]
        if not k.to_numpy(pred).reshape(-1)[0]:
            break
        feed = _pick(current, a.func_input_locs)
        res = func.forward(feed, is_train)
        steps.append((feed, res[:a.num_out_data]))
        for pos, value in zip(where, res[a.num_out_data:]):
            current[pos] = value
    return steps, _pick(current, where), func


def _while_loop(k, a, *xs):
    steps, loop_vars, func = _while_steps(k, a, xs, _is_train())
    if steps:
        first = steps[0][1]
        outs = [_stack(k, [s[1][i] for s in steps], first[i].shape, first[i].dtype,
                       a.max_iterations) for i in range(a.num_out_data)]
    else:                                  # no step ran: zeros of the inferred shapes
        feed = _pick(xs, a.func_input_locs)
        _, shapes = _sub_shapes(func.sym, {j: tuple(x.shape) for j, x in enumerate(feed)},
                                _infer_shapes)
        _, dtypes = _sub_shapes(func.sym, {j: x.dtype for j, x in enumerate(feed)},
                                _infer_types)
        outs = [k.full((a.max_iterations,) + tuple(shapes[i]), 0, dtypes[i])
                for i in range(a.num_out_data)]
    return tuple(outs + [k.copy(v) if any(v is x for x in xs) else v for v in loop_vars])


def _backward_while_loop(k, a, *args):
    dys, xs = args[:a.num_outputs], args[a.num_outputs:]
    is_train = _is_train()
    steps, _, func = _while_steps(k, a, xs, is_train)
    where = _var_positions(a)
    grads = [None] * len(xs)                  # what flows into each node input
    d_vars = list(dys[a.num_out_data:])       # ... and into the current loop variables
    for t in reversed(range(len(steps))):
        heads = [k.getitem(dy, t) for dy in dys[:a.num_out_data]] + d_vars
        g = func.vjp(steps[t][0], heads, is_train)
        new_vars = [None] * len(where)
        for j, loc in enumerate(a.func_input_locs):
            if loc in where:
                i = where.index(loc)
                new_vars[i] = _add(k, new_vars[i], g[j])
            else:
                grads[loc] = _add(k, grads[loc], g[j])
        d_vars = [d if d is not None else k.full(tuple(xs[p].shape), 0, xs[p].dtype)
                  for d, p in zip(new_vars, where)]
    for pos, d in zip(where, d_vars):
        grads[pos] = d
    return tuple(g if g is not None else k.full(tuple(x.shape), 0, x.dtype)
                 for g, x in zip(grads, xs))


def _while_infer(fill, shapes):
    """Shape or dtype rule of ``_while_loop``: ``func``'s inference; step outputs get
    ``max_iterations`` rows."""
    def rule(a, ins):
        _, func = a.subgraphs
        known = {j: ins[loc] for j, loc in enumerate(a.func_input_locs)
                 if ins[loc] is not None}
        sub_in, sub_out = _sub_shapes(func, known, fill)
        new_ins = list(ins)
        for j, loc in enumerate(a.func_input_locs):
            if new_ins[loc] is None:
                new_ins[loc] = sub_in[j]
        outs = list(sub_out[:a.num_out_data])
        if shapes:
            outs = [None if o is None else (a.max_iterations,) + tuple(o) for o in outs]
        outs += [new_ins[p] if new_ins[p] is not None else sub_out[a.num_out_data + i]
                 for i, p in enumerate(_var_positions(a))]
        return new_ins, outs
    return rule


_WHILE_PARAMS = {
    "num_args": Param("int", doc="number of array inputs + 2 (the subgraphs)"),
    "num_outputs": Param("int", doc="step outputs + loop variables"),
    "num_out_data": Param("int", doc="number of step outputs"),
    "max_iterations": Param("int", doc="at most this many steps; outputs have this many "
                                       "rows"),
    "cond_input_locs": Param("ints", doc="node input feeding each input of cond"),
    "func_input_locs": Param("ints", doc="node input feeding each input of func"),
    "func_var_locs": Param("ints", doc="func input holding each loop variable"),
}

register("_while_loop", _while_loop, inputs=_n_inputs, params=_WHILE_PARAMS,
         outputs=_n_outputs, infer_shape=_while_infer(_infer_shapes, True),
         infer_type=_while_infer(_infer_types, False),
         gradient=_loop_gradient("_backward_while_loop"),
         doc="""Run subgraph ``func`` while subgraph ``cond`` is true, at most
``max_iterations`` times (``mx.sym.contrib.while_loop`` builds it).  Outputs: each step
output stacked on axis 0 and zero-padded to ``max_iterations`` rows, then the final
loop variables.""")
register("_backward_while_loop", _backward_while_loop, inputs=_bwd_inputs,
         params=_WHILE_PARAMS, outputs=_bwd_outputs, infer_shape=_bwd_shapes,
         infer_type=_bwd_types,
         doc="Backpropagation through the steps ``_while_loop`` ran.")


# ---- cond -------------------------------------------------------------------------------
def _branch(k, a, xs, is_train):
    """(compiled branch, its input locs) of the branch ``pred`` selects."""
    pred, then, other = _graphs(k, a)
    flag = pred.forward(_pick(xs, a.cond_input_locs), is_train)[0]
    if k.to_numpy(flag).reshape(-1)[0]:
        return then, a.then_input_locs
    return other, a.else_input_locs


def _cond(k, a, *xs):
    graph, locs = _branch(k, a, xs, _is_train())
    feed = _pick(xs, locs)
    return tuple(graph.forward(feed, _is_train()))


def _backward_cond(k, a, *args):
    dys, xs = args[:a.num_outputs], args[a.num_outputs:]
    graph, locs = _branch(k, a, xs, _is_train())
    g = graph.vjp(_pick(xs, locs), list(dys), _is_train())
    grads = [None] * len(xs)
    for j, loc in enumerate(locs):
        grads[loc] = _add(k, grads[loc], g[j])
    return tuple(d if d is not None else k.full(tuple(x.shape), 0, x.dtype)
                 for d, x in zip(grads, xs))


def _cond_infer(fill):
    def rule(a, ins):
        _, then, other = a.subgraphs
        new_ins, outs = list(ins), [None] * a.num_outputs
        for sym, locs in ((then, a.then_input_locs), (other, a.else_input_locs)):
            known = {j: new_ins[loc] for j, loc in enumerate(locs)
                     if new_ins[loc] is not None}
            sub_in, sub_out = _sub_shapes(sym, known, fill)
            for j, loc in enumerate(locs):
                if new_ins[loc] is None:
                    new_ins[loc] = sub_in[j]
            outs = [o if o is not None else s for o, s in zip(outs, sub_out)]
        return new_ins, outs
    return rule


_COND_PARAMS = {
    "num_args": Param("int", doc="number of array inputs + 3 (the subgraphs)"),
    "num_outputs": Param("int", doc="outputs of either branch"),
    "cond_input_locs": Param("ints", doc="node input feeding each input of pred"),
    "then_input_locs": Param("ints", doc="node input feeding each input of then"),
    "else_input_locs": Param("ints", doc="node input feeding each input of else"),
}

register("_cond", _cond, inputs=_n_inputs, params=_COND_PARAMS, outputs=_n_outputs,
         infer_shape=_cond_infer(_infer_shapes), infer_type=_cond_infer(_infer_types),
         gradient=_loop_gradient("_backward_cond"),
         doc="""Run subgraph ``then`` if subgraph ``pred`` gives true, else ``else``
(``mx.sym.contrib.cond`` builds it).  Only the branch taken runs.""")
register("_backward_cond", _backward_cond, inputs=_bwd_inputs, params=_COND_PARAMS,
         outputs=_bwd_outputs, infer_shape=_bwd_shapes, infer_type=_bwd_types,
         doc="The gradient of the branch ``_cond`` took (zeros for the other's inputs).")
