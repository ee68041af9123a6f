"""``mx.viz``: draw a Symbol (``plot_network``) or print a layer table (``print_summary``).

``plot_network`` returns a ``graphviz.Digraph`` (the Python package; rendering needs
the ``dot`` program, building the graph does not).  Nodes are coloured by operator
kind as in MXNet; with ``shape=`` every edge is labelled with the shape flowing
along it.  Weights and biases (variables ending in ``_weight``, ``_bias``, ``_gamma``,
... ) are hidden unless ``hide_weights=False``.
"""
import json


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
    """Print MXNet's layer table: Layer (type), Output Shape, Param #, Previous Layer,
    then the total number of parameters; returns None.

    ``shape`` (name -> input shape) adds the output shapes and lets parameters be
    counted; without it the shape columns stay empty.  The rules are MXNet 1.9.1's, read
    off the symbol's JSON: variables are skipped, except the first node and the ones in
    ``set(heads[0])`` (a quirk: the first output's ``[node, index, version]`` taken as
    a set, so usually node 0, the data); parameters are counted by formula for
    Convolution, FullyConnected, BatchNorm (2 x channels) and Embedding only, from the
    channel counts of the listed previous layers."""
    from .symbol.symbol import Symbol
    if not isinstance(symbol, Symbol):
        raise TypeError("symbol must be Symbol")
    shape_dict = {}
    if shape is not None:
        internals = symbol.get_internals()
        _, out_shapes, _ = internals.infer_shape(**shape)
        if out_shapes is None:
            raise ValueError("Input shape is incomplete")
        shape_dict = dict(zip(internals.list_outputs(), out_shapes))
    conf = json.loads(symbol.tojson())
    nodes = conf["nodes"]
    heads = set(conf["heads"][0])
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]

    def row(fields):
        line = ""
        for f, end in zip(fields, positions):
            line = (line + str(f))[:end]
            line += " " * (end - len(line))
        print(line)

    def entry_key(node):
        return node["name"] + ("_output" if node["op"] != "null" else "")

    def layer(node, out_shape):
        attrs = node.get("attrs", {})
        prev, channels = [], 0
        if node["op"] != "null":
            for item in node["inputs"]:
                src = nodes[item[0]]
                if src["op"] != "null" or item[0] in heads:
                    prev.append(src["name"])
                    if entry_key(src) in shape_dict:
                        channels += int(shape_dict[entry_key(src)][1:][0])
        params = 0
        if node["op"] in ("Convolution", "FullyConnected"):
            conv = node["op"] == "Convolution"
            width = int(attrs["num_filter" if conv else "num_hidden"])
            params = channels * width // (int(attrs.get("num_group", "1")) if conv else 1)
            for k in (_shape_attr(attrs["kernel"]) if conv else ()):
                params *= k
            if attrs.get("no_bias") != "True":
                params += width
        elif node["op"] == "BatchNorm" and shape is not None:
            params = int(shape_dict[entry_key(node)][1]) * 2
        elif node["op"] == "Embedding":
            params = int(attrs["input_dim"]) * int(attrs["output_dim"])
        row([f"{node['name']}({node['op']})", "x".join(str(d) for d in out_shape), params,
             prev[0] if prev else ""])
        for name in prev[1:]:
            row(["", "", "", name])
        return params

    print("_" * line_length)
    row(["Layer (type)", "Output Shape", "Param #", "Previous Layer"])
    print("=" * line_length)
    total = 0
    for i, node in enumerate(nodes):
        if node["op"] == "null" and i > 0:
            continue
        out_shape = ()
        if (node["op"] != "null" or i in heads) and entry_key(node) in shape_dict:
            out_shape = shape_dict[entry_key(node)][1:]
        total += layer(node, out_shape)
        print(("=" if i == len(nodes) - 1 else "_") * line_length)
    print(f"Total params: {total}")
    print("_" * line_length)


def _shape_attr(text):
    """``'(3, 3)'`` -> ``[3, 3]`` (a shape attribute of the JSON)."""
    return [int(t) for t in text.strip("()[] ").split(",") if t.strip()]
