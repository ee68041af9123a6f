"""Graph pass: shape inference.

Every graph entry (an output of a node) gets a shape.  Known shapes come from the
caller (``infer_shape(data=(64, 3, 224, 224))``) and from variables' ``__shape__``
attributes; each operator's rule (``Op.infer_shape``: input shapes, None where
unknown -> filled input shapes and output shapes) does the rest.  Rules may fill in
*input* shapes too: that is how ``fc1_weight`` gets ``(num_hidden, in_units)`` from
``data``.  The pass sweeps the graph in order until nothing changes (a variable shared
by two nodes can be learned from the later one).

A disagreement is an error that names the node, the operator, the input and both
shapes (MXNet's message only said "Shape inconsistent"; apache/mxnet#12565).

MXNet 1.x legacy convention: a 0 in a shape means "unknown dimension", and a shape
that is not fully known counts as unknown.
"""
import ast

from ..base import MXNetError

__all__ = ["infer_shapes", "infer_symbol_shape", "parse_shape"]


def parse_shape(text):
    """``'(2, 3)'`` -> ``(2, 3)``."""
    value = ast.literal_eval(text) if isinstance(text, str) else text
    return (int(value),) if isinstance(value, int) else tuple(int(d) for d in value)


def _known(shape):
    return shape is not None and all(d > 0 for d in shape)


def _fmt(shape):
    return "?" if shape is None else str(tuple(shape))


def infer_shapes(order, shapes):
    """Fill ``shapes`` (dict ``(id(node), index) -> tuple``) over the nodes ``order``
    (topologically sorted).  Returns ``shapes``.  Raises MXNetError on a conflict."""
    # BEGIN EXERCISE infer_shape
    for _ in range(len(order) + 1):
        changed = False
        for node in order:
            if node.is_variable:
                continue
            in_keys = [(id(e[0]), e[1]) for e in node.inputs]
            out_keys = [(id(node), i) for i in range(node.num_outputs())]
            ins = [shapes.get(k) for k in in_keys]
            outs = [shapes.get(k) for k in out_keys]
            if all(s is not None for s in ins + outs):
                continue
            try:
                new_ins, new_outs = node.op.infer_shape(node.parsed, ins)
            except (MXNetError, ValueError, TypeError, IndexError, KeyError,
                    ZeroDivisionError, AttributeError) as err:
                # A rule that needs all inputs may trip over a None: try it later.
                # An MXNetError is a rule's own check failing (fc2_weight given as
                # (3, 3) when data says (10, 128)): an error even while other inputs
                # are unknown, as in MXNet.
                if any(s is None for s in ins) and not isinstance(err, MXNetError):
                    continue
                names = node.input_names()
                detail = ", ".join(f"{n}{_fmt(s)}" for n, s in zip(names, ins))
                raise MXNetError(f"Error in operator {node.name} ({node.op.name}): "
                                 f"{err}; input shapes: {detail}") from None
            labels = [f"input {n!r}" for n in node.input_names()] + \
                     [f"output {n!r}" for n in node.output_names()]
            for key, new, label in zip(in_keys + out_keys, list(new_ins) + list(new_outs),
                                       labels):
                if new is None:
                    continue
                new = tuple(int(d) for d in new)
                old = shapes.get(key)
                if old is None:
                    shapes[key] = new
                    changed = True
                elif old != new:
                    raise MXNetError(
                        f"Error in operator {node.name} ({node.op.name}): shape "
                        f"inconsistent for {label}: provided {old}, inferred {new}")
        if not changed:
            break
    return shapes
    # END EXERCISE infer_shape


def _given_shapes(symbol, args, kwargs):
    """The caller's shapes plus the variables' ``__shape__``, by variable node."""
    arg_nodes, aux_nodes = symbol._variables()
    inputs = {n.name: n for n in arg_nodes + aux_nodes}
    given = {}
    for node in arg_nodes + aux_nodes:
        if "__shape__" in node.attrs:
            given[id(node)] = parse_shape(node.attrs["__shape__"])
    if args and kwargs:
        raise ValueError("Can only specify known argument shapes either by positional "
                         "or kwargs way.")
    for node, shape in zip(arg_nodes, args):
        if shape is not None:
            given[id(node)] = parse_shape(shape)
    for name, shape in kwargs.items():
        if name not in inputs:
            raise MXNetError(f"infer_shape: keyword argument name {name!r} not found; "
                             f"candidate arguments are {sorted(inputs)}")
        if shape is not None:
            given[id(inputs[name])] = parse_shape(shape)
    return arg_nodes, aux_nodes, given


def infer_symbol_shape(symbol, args, kwargs, partial):
    """Symbol.infer_shape / infer_shape_partial (see there)."""
    arg_nodes, aux_nodes, given = _given_shapes(symbol, args, kwargs)
    shapes = {(nid, 0): s for nid, s in given.items() if _known(s)}
    infer_shapes(symbol._topo(), shapes)

    def get(key, fallback=None):
        s = shapes.get(key)
        if s is None:
            return None if not partial else (fallback or ())
        return s

    arg_shapes = [get((id(n), 0), given.get(id(n))) for n in arg_nodes]
    out_shapes = [get((id(e[0]), e[1])) for e in symbol._outputs]
    aux_shapes = [get((id(n), 0), given.get(id(n))) for n in aux_nodes]
    if not partial and any(s is None for s in arg_shapes + out_shapes + aux_shapes):
        return None, None, None
    return arg_shapes, out_shapes, aux_shapes
