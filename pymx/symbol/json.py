"""Symbol JSON: MXNet's ``*-symbol.json`` format, written and read (notes 2.2).

The file is nnvm's ``SaveJSON`` of the graph::

    {"nodes": [{"op": "FullyConnected" | "null", "name": ..., "attrs": {...},
                "inputs": [[node_id, output_index, version], ...]}, ...],
     "arg_nodes": [ids of the variable nodes],
     "node_row_ptr": [prefix sum of each node's outputs, hidden ones included],
     "heads": [[node_id, output_index, version], ...],
     "attrs": {"mxnet_version": ["int", 10901]}}

Nodes are in DFS post-order (``graph.topo_order``), every attribute value is a string.
``to_json`` reproduces dmlc's ``JSONWriter`` layout byte for byte (objects with more
than one key and arrays with more than 10 items are written one item per line), so a
file written by pymx is identical to the one MXNet 1.9.1 writes for the same graph.

``from_json`` also reads older files: a missing ``mxnet_version`` means 0.8.0; the
upgraders of ``src/nnvm/legacy_json_util.cc`` then move ``lr_mult``/``ctx_group``/...
into hidden ``__key__`` form, add the aux variables that files before 0.9.0 did not
store, and give BatchNorm's aux variables their initializers.
"""
import json

from ..base import MXNetError
from ..ops.registry import get_op
from .graph import HIDDEN_KEYS, Node, topo_order

__all__ = ["to_json", "from_json", "MXNET_VERSION"]

MXNET_VERSION = 10901                   # 1.9.1 = MAJOR*10000 + MINOR*100 + PATCH


# ---- writing: dmlc::JSONWriter's layout ----------------------------------------------------
class _Writer:
    """A tiny dmlc ``JSONWriter``: ``, `` between items, a newline plus two spaces per
    open scope before each item of a multi-line scope."""

    def __init__(self):
        self.out, self.scopes = [], []        # scopes: [multi_line, item_count]

    def _sep(self):
        if self.scopes[-1][0]:
            self.out.append("\n" + "  " * len(self.scopes))

    def begin(self, bracket, multi_line):
        self.out.append(bracket)
        self.scopes.append([multi_line, 0])

    def end(self, bracket):
        multi_line, _ = self.scopes.pop()
        if multi_line:
            self.out.append("\n" + "  " * len(self.scopes))
        self.out.append(bracket)

    def item(self, key=None):
        scope = self.scopes[-1]
        if scope[1]:
            self.out.append(", ")
        self._sep()
        scope[1] += 1
        if key is not None:
            self.out.append(json.dumps(key) + ": ")

    def value(self, v):
        if isinstance(v, (list, tuple)):
            self.begin("[", len(v) > 10)
            for x in v:
                self.item()
                self.value(x)
            self.end("]")
        elif isinstance(v, dict):
            self.begin("{", len(v) > 1)
            for k in sorted(v):
                self.item(k)
                self.value(v[k])
            self.end("}")
        else:
            self.out.append(json.dumps(v))


def to_json(symbol):
    """MXNet's JSON text for ``symbol``."""
    w = _Writer()
    _write_graph(w, symbol, top=True)
    return "".join(w.out)


def _write_graph(w, symbol, top):
    """One graph object; a control-flow node nests its subgraphs' objects under
    ``"subgraphs"`` (only the outermost graph carries ``mxnet_version``)."""
    nodes = topo_order(symbol._outputs)
    ids = {id(n): i for i, n in enumerate(nodes)}
    row_ptr = [0]
    for n in nodes:
        row_ptr.append(row_ptr[-1] + n.num_outputs())
    w.begin("{", True)
    w.item("nodes")
    w.begin("[", True)
    for n in nodes:
        w.item()
        w.begin("{", True)
        w.item("op")
        w.value(n.op.name if n.op is not None else "null")
        w.item("name")
        w.value(n.name)
        if n.attrs:
            w.item("attrs")
            w.value(dict(n.attrs))
        w.item("inputs")
        w.value([[ids[id(e[0])], e[1], e[2]] for e in n.inputs])
        if n.control_deps:
            w.item("control_deps")
            w.value([ids[id(c)] for c in n.control_deps])
        if n.subgraphs:
            w.item("subgraphs")
            w.begin("[", True)
            for g in n.subgraphs:
                w.item()
                _write_graph(w, g, top=False)
            w.end("]")
        w.end("}")
    w.end("]")
    w.item("arg_nodes")
    w.value([i for i, n in enumerate(nodes) if n.is_variable])
    w.item("node_row_ptr")
    w.value(row_ptr)
    w.item("heads")
    w.value([[ids[id(e[0])], e[1], e[2]] for e in symbol._outputs])
    if top:
        w.item("attrs")
        w.value({"mxnet_version": ["int", MXNET_VERSION]})
    w.end("}")


# ---- reading ---------------------------------------------------------------------------
def from_json(text):
    """A Symbol from JSON text written by any MXNet since 0.8 (or by pymx)."""
    try:
        graph = json.loads(text)
    except ValueError as err:
        raise MXNetError(f"load_json: not valid JSON ({err})") from None
    return _read_graph(graph, graph.get("attrs", {}).get("mxnet_version", ["int", 800])[1])


def _read_graph(graph, version):
    from .symbol import Symbol
    nodes = []
    for jn in graph["nodes"]:
        op_name = jn.get("op", "null")
        d = {}
        for key in ("param", "attr", "attrs"):          # 0.8 files split param/attr
            d.update(jn.get(key) or {})
        op = None if op_name == "null" else get_op(op_name)
        node = Node(op, jn["name"], {k: str(v) for k, v in d.items()})
        nodes.append(node)
        node.inputs = [_entry(nodes, e) for e in jn.get("inputs", [])]
        node.control_deps = [nodes[i] for i in jn.get("control_deps", [])]
        node.subgraphs = tuple(_read_graph(g, version) for g in jn.get("subgraphs", ()))
    heads = [_entry(nodes, e) for e in graph["heads"]]
    if version < MXNET_VERSION:
        _fix_parsing(nodes)
    if version < 900:
        _add_missing_aux(nodes)
    if version < 904:
        _set_aux_init(nodes)
    for n in nodes:                                       # parse now: fail early
        if n.op is not None:
            n.parsed  # noqa: B018
    _set_versions(nodes)
    return Symbol([(e[0], e[1], e[0].version if e[0].is_variable else 0) for e in heads])


def _entry(nodes, e):
    return (nodes[e[0]], e[1], e[2] if len(e) > 2 else 0)


def _fix_parsing(nodes):
    """``UpgradeJSON_FixParsing``: ``lr_mult`` -> ``__lr_mult__``; an op's
    ``weight_lr_mult`` moves onto its ``weight`` variable."""
    for n in nodes:
        for key in list(n.attrs):
            for hk in HIDDEN_KEYS:
                if key == hk:
                    n.attrs[f"__{hk}__"] = n.attrs.pop(key)
                    break
                if key.endswith("_" + hk) and not key.startswith("__") and n.op is not None:
                    arg = key[:-len(hk) - 1]
                    names = n.input_names()
                    if arg in names and n.inputs[names.index(arg)][0].is_variable:
                        n.inputs[names.index(arg)][0].attrs[f"__{hk}__"] = n.attrs.pop(key)
                    break


def _add_missing_aux(nodes):
    """``UpgradeJSON_000800_000900``: files before 0.9 did not store aux variables."""
    for n in list(nodes):
        if n.op is None:
            continue
        names = n.input_names()
        for i in range(len(n.inputs), len(names)):
            v = Node(None, f"{n.name}_{names[i]}", n.attrs)
            n.inputs.append((v, 0, 0))


def _set_aux_init(nodes):
    """``UpgradeJSON_000903_000904``: BatchNorm's aux variables get zero/one init."""
    from .symbol import _AUX_INIT
    for n in nodes:
        if n.op is None or not n.op.aux:
            continue
        for name, e in zip(n.input_names(), n.inputs):
            if name in n.op.aux and name in _AUX_INIT and e[0].is_variable \
                    and "__init__" not in e[0].attrs:
                e[0].attrs["__init__"] = _AUX_INIT[name]


def _set_versions(nodes):
    """Re-derive the variables' mutation versions from the ops that mutate them."""
    seen = set()
    for n in nodes:
        if n.op is None:
            continue
        for i in n.mutable_inputs():
            v = n.inputs[i][0]
            if v.is_variable:
                if id(v) not in seen:
                    seen.add(id(v))
                    v.version = 0
                v.version += 1
                n.inputs[i] = (v, n.inputs[i][1], v.version)
