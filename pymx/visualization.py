"""``mx.viz``: draw a Symbol (``plot_network``) or print a layer table (``print_summary``).

``plot_network`` returns a ``graphviz.Digraph`` (the Python package; rendering needs
the ``dot`` program, building the graph does not).  Nodes are coloured by operator
kind as in MXNet; with ``shape=`` every edge is labelled with the shape flowing
along it (without the batch axis).  Weights and biases (variables ending in ``_weight``, ``_bias``, ``_gamma``,
... ) are hidden unless ``hide_weights=False``.
"""
import json
import re


__all__ = ["plot_network", "print_summary"]

# MXNet's colour map: inputs, conv/fc, activations, BatchNorm, pooling, shape ops,
# Softmax, everything else.
_CM = ("#8dd3c7", "#fb8072", "#ffffb3", "#bebada", "#80b1d3", "#fdb462", "#b3de69",
       "#fccde5")
_PARAM_SUFFIXES = ("_weight", "_bias", "_beta", "_gamma", "_moving_var", "_moving_mean",
                   "_running_var", "_running_mean")


def _str2tuple(string):
    """``'(3, 3)'`` -> ``['3', '3']`` (the digits of a shape attribute)."""
    return re.findall(r"\d+", string)


def _node_style(node, attr):
    """The label of one JSON node, setting its fill colour in ``attr`` (MXNet 1.9.1's
    rules: only Convolution, FullyConnected, Activation, LeakyReLU and Pooling get a
    descriptive label; other operators are labelled with their *node name*)."""
    op, name, attrs = node["op"], node["name"], node.get("attrs", {})
    label = name
    if op == "null":
        attr["shape"] = "oval"                # inputs get their own shape
        attr["fillcolor"] = _CM[0]
    elif op == "Convolution":
        label = "Convolution\n{}/{}, {}".format(
            "x".join(_str2tuple(attrs["kernel"])),
            "x".join(_str2tuple(attrs["stride"])) if "stride" in attrs else "1",
            attrs["num_filter"])
        attr["fillcolor"] = _CM[1]
    elif op == "FullyConnected":
        label = "FullyConnected\n{}".format(attrs["num_hidden"])
        attr["fillcolor"] = _CM[1]
    elif op == "BatchNorm":
        attr["fillcolor"] = _CM[3]
    elif op == "Activation":
        label = "Activation\n{}".format(attrs["act_type"])
        attr["fillcolor"] = _CM[2]
    elif op == "LeakyReLU":
        label = "LeakyReLU\n{}".format(attrs.get("act_type", "Leaky"))
        attr["fillcolor"] = _CM[2]
    elif op == "Pooling":
        label = "Pooling\n{}, {}/{}".format(
            attrs["pool_type"],
            "x".join(_str2tuple(attrs["kernel"])) if "kernel" in attrs else "[]",
            "x".join(_str2tuple(attrs["stride"])) if "stride" in attrs else "1")
        attr["fillcolor"] = _CM[4]
    elif op in ("Concat", "Flatten", "Reshape"):
        attr["fillcolor"] = _CM[5]
    elif op == "Softmax":
        attr["fillcolor"] = _CM[6]
    else:
        attr["fillcolor"] = _CM[7]
        if op == "Custom":
            label = attrs["op_type"]
    return label


def plot_network(symbol, title="plot", save_format="pdf", shape=None, dtype=None,
                 node_attrs=None, hide_weights=True):
    """A graphviz ``Digraph`` of ``symbol``, built as MXNet 1.9.1 builds it from the
    symbol's JSON: one node per JSON node (inputs as ovals), edges from each operator
    back to its inputs, labelled with the input's shape without the batch axis when
    ``shape`` (name -> shape) is given, and with its dtype when ``dtype`` is.

    Variables that look like parameters (``_weight``, ``_bias``, ``_gamma``, ...) get
    no node: with ``hide_weights`` their edges are dropped too; without it the edges
    stay and graphviz draws the parameters as plain ovals.  For an input with several
    outputs the edge shows the *last* output's shape (MXNet's quirk)."""
    try:
        from graphviz import Digraph
    except ImportError:
        raise ImportError("Draw network requires graphviz library") from None
    from .symbol.symbol import Symbol
    if not isinstance(symbol, Symbol):
        raise TypeError("symbol must be a Symbol")
    internals = symbol.get_internals()
    shape_dict = type_dict = None
    if shape is not None:
        _, out_shapes, _ = internals.infer_shape(**shape)
        if out_shapes is None:
            raise ValueError("Input shape is incomplete")
        shape_dict = dict(zip(internals.list_outputs(), out_shapes))
    if dtype is not None:
        _, out_types, _ = internals.infer_type(**dtype)
        if out_types is None:
            raise ValueError("Input type is incomplete")
        type_dict = dict(zip(internals.list_outputs(), out_types))
    nodes = json.loads(symbol.tojson())["nodes"]
    style = {"shape": "box", "fixedsize": "true", "width": "1.3", "height": "0.8034",
             "style": "filled"}
    style.update(node_attrs or {})
    dot = Digraph(name=title, format=save_format)
    hidden = set()
    for node in nodes:
        if node["op"] == "null" and node["name"].endswith(_PARAM_SUFFIXES):
            if hide_weights:
                hidden.add(node["name"])
            continue
        attr = dict(style)
        label = _node_style(node, attr)
        dot.node(name=node["name"], label=label, **attr)
    for node in nodes:
        if node["op"] == "null":
            continue
        for item in node["inputs"][:1] if node["op"] == "_contrib_BilinearResize2D" \
                else node["inputs"]:
            src = nodes[item[0]]
            if src["name"] in hidden:
                continue
            key = src["name"]
            if src["op"] != "null":
                key += "_output"
                if "num_outputs" in src.get("attrs", {}):
                    key += str(int(src["attrs"]["num_outputs"]) - 1)
            attr = {"dir": "back", "arrowtail": "open", "label": ""}
            if shape_dict is not None:
                attr["label"] = "x".join(str(d) for d in shape_dict[key][1:])
            if type_dict is not None:
                attr["label"] += "(" + type_dict[key].__name__ + ")"
            dot.edge(tail_name=node["name"], head_name=src["name"], **attr)
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
