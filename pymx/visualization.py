"""``mx.viz``: draw a Symbol (``plot_network``) or print a layer table (``print_summary``).

``plot_network`` returns a ``graphviz.Digraph`` (the Python package; rendering needs
the ``dot`` program, building the graph does not).  Nodes are coloured by operator
kind as in MXNet; with ``shape=`` every edge is labelled with the shape flowing
along it.  Weights and biases (variables ending in ``_weight``, ``_bias``, ``_gamma``,
... ) are hidden unless ``hide_weights=False``.
"""
from .base import MXNetError

__all__ = ["plot_network", "print_summary"]

_COLORS = {"Convolution": "#fb8072", "Deconvolution": "#fb8072",
           "FullyConnected": "#fb8072", "BatchNorm": "#bebada", "Activation": "#ffffb3",
           "LeakyReLU": "#ffffb3", "Pooling": "#80b1d3", "Concat": "#fdb462",
           "Flatten": "#fdb462", "Reshape": "#fdb462", "SoftmaxOutput": "#b3de69",
           "Softmax": "#b3de69"}
_PARAM_SUFFIXES = ("_weight", "_bias", "_beta", "_gamma", "_moving_var", "_moving_mean",
                   "_running_var", "_running_mean")


def _entry_shapes(symbol, shape):
    if shape is None:
        return {}
    from .executor.infer_shape import infer_shapes, parse_shape
    from .symbol.graph import topo_order
    order = topo_order(symbol._outputs)
    known = {}
    for n in order:
        if n.is_variable and n.name in shape:
            known[(id(n), 0)] = parse_shape(shape[n.name])
        elif n.is_variable and "__shape__" in n.attrs:
            declared = parse_shape(n.attrs["__shape__"])
            if declared is not None and 0 not in declared:     # 0: Gluon's "unknown"
                known[(id(n), 0)] = declared
    return infer_shapes(order, known)


def _label(node):
    op, a = node.op.name, node.parsed
    if op == "Convolution":
        k = "x".join(str(d) for d in a.kernel)
        s = "x".join(str(d) for d in (a.stride or (1,) * len(a.kernel)))
        return f"Convolution\n{k}/{s}, {a.num_filter}"
    if op == "FullyConnected":
        return f"FullyConnected\n{a.num_hidden}"
    if op == "Activation" or op == "LeakyReLU":
        return f"{op}\n{a.act_type}"
    if op == "Pooling":
        k = "x".join(str(d) for d in (a.kernel or ()))
        return f"Pooling\n{a.pool_type}, {k}"
    return op


def plot_network(symbol, title="plot", save_format="pdf", shape=None, dtype=None,
                 node_attrs=None, hide_weights=True):
    """A graphviz ``Digraph`` of ``symbol``: one box per operator (and input), edges
    from inputs to consumers, labelled with shapes when ``shape`` (name -> shape)
    is given."""
    try:
        from graphviz import Digraph
    except ImportError:
        raise ImportError("Draw network requires graphviz library") from None
    from .symbol.graph import topo_order
    from .symbol.symbol import Symbol
    if not isinstance(symbol, Symbol):
        raise TypeError("symbol must be a Symbol")
    shapes = _entry_shapes(symbol, shape)
    style = {"shape": "box", "fixedsize": "true", "width": "1.3", "height": "0.8034",
             "style": "filled"}
    style.update(node_attrs or {})
    dot = Digraph(name=title, format=save_format)
    order = topo_order(symbol._outputs)
    hidden = set()
    for node in order:
        attrs = dict(style)
        if node.is_variable:
            if hide_weights and node.name.endswith(_PARAM_SUFFIXES):
                hidden.add(id(node))
                continue
            if node.name.endswith("_label"):
                hidden.add(id(node))
                continue
            attrs["fillcolor"] = "#8dd3c7"
            label = node.name
        else:
            attrs["fillcolor"] = _COLORS.get(node.op.name, "#fccde5")
            label = _label(node)
        dot.node(name=node.name, label=label, **attrs)
    for node in order:
        if node.is_variable:
            continue
        for e in node.inputs:
            if id(e[0]) in hidden:
                continue
            edge = {"dir": "back", "arrowtail": "open"}
            s = shapes.get((id(e[0]), e[1]))
            if s is not None:
                edge["label"] = "x".join(str(d) for d in s[1:]) or str(s)
            dot.edge(tail_name=node.name, head_name=e[0].name, **edge)
    return dot


def print_summary(symbol, shape=None, line_length=120, positions=(.44, .64, .74, 1.)):
    """Print a table: Layer (type), Output Shape, Param #, Previous Layer; then the
    total number of parameters (shapes come from ``shape``, name -> shape)."""
    from .symbol.graph import topo_order
    import numpy as np
    if shape is None:
        raise MXNetError("print_summary: give the input shapes, e.g. "
                         "shape={'data': (1, 3, 224, 224)}")
    shapes = _entry_shapes(symbol, shape)
    cols = [int(line_length * p) for p in positions]
    header = ["Layer (type)", "Output Shape", "Param #", "Previous Layer"]

    def row(fields):
        line = ""
        for f, end in zip(fields, cols):
            line = (line + str(f))[:end].ljust(end)
        print(line)

    print("_" * line_length)
    row(header)
    print("=" * line_length)
    total = 0
    order = topo_order(symbol._outputs)
    heads = {id(e[0]) for e in symbol._outputs}
    for node in order:
        if node.is_variable:
            if node.name in shape:
                row([f"{node.name}(null)", "x".join(map(str, shape[node.name][1:])), 0, ""])
            continue
        params = 0
        prev = []
        for e in node.inputs:
            n = e[0]
            s = shapes.get((id(n), e[1]))
            if n.is_variable and n.name not in shape and not n.name.endswith("_label"):
                if s is not None and not n.name.endswith(("_moving_mean", "_moving_var")):
                    params += int(np.prod(s))
            else:
                prev.append(n.name)
        total += params
        out = shapes.get((id(node), 0))
        out_s = "x".join(str(d) for d in out[1:]) if out is not None else "?"
        row([f"{node.name}({node.op.name})", out_s, params, prev[0] if prev else ""])
        for p in prev[1:]:
            row(["", "", "", p])
        print(("=" if id(node) in heads else "_") * line_length)
    print(f"Total params: {total}")
    print("_" * line_length)
    return total
