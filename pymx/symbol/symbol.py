"""``Symbol``: a declarative graph of operators, and how ``mx.sym.<op>`` builds one.

A Symbol is a list of output entries of a graph (``graph.py``).  Calling
``mx.sym.FullyConnected(data, num_hidden=10, name='fc1')`` creates one operator
node; its inputs that were not given become **new variables** named
``<name>_<input>`` (``fc1_weight``, ``fc1_bias``), which copy the node's attributes
(nnvm's ``Symbol::Compose``: that is why ``fc1_weight`` carries ``num_hidden`` in the
JSON).  Inputs an operator mutates (``Op.aux``, e.g. BatchNorm's ``moving_mean``) are
auxiliary states: ``list_arguments()`` leaves them out, ``list_auxiliary_states()``
lists them.

MXNet 1.x quirks kept (notes 1(b)):

* ``a + b`` between Symbols is ``elemwise_add``: **no broadcasting** (NDArray
  broadcasts); use ``mx.sym.broadcast_add``.  After ``npx.set_np()`` it is
  ``broadcast_add``, as for MXNet's NumPy symbols (``pymx/util.py``).
* ``s[i]`` and ``s['fc1_output']`` select an *output*; there is no array slicing.
* ``infer_shape`` returns ``(None, None, None)`` when some shape stays unknown;
  ``infer_shape_partial`` returns ``()`` for unknown shapes.  A 0 in a shape means
  "unknown dimension".
* Attribute values are strings; ``lr_mult``/``ctx_group``/... are stored hidden as
  ``__lr_mult__``.

The graph passes that bind and run a Symbol are in ``pymx/executor/``.
"""
import copy as _copy
import json as _json

import numpy as np

from ..attribute import AttrScope
from ..base import DTYPE_TO_FLAG, FLAG_TO_DTYPE, MXNetError
from ..name import NameManager
from ..ops.registry import Attrs, get_op
from ..util import NP_MODE
from .attr_order import unordered_map_order
from .graph import HIDDEN_KEYS, Node, topo_order

__all__ = ["Symbol", "var", "Variable", "Group", "load", "load_json", "make_function",
           "zeros", "ones", "full", "arange"]

_STYPE_TO_ID = {"default": 0, "row_sparse": 1, "csr": 2}


def _hide_key(key):
    """MXNet's kHiddenKeys rule: ``lr_mult`` is stored as ``__lr_mult__``."""
    if key in HIDDEN_KEYS:
        return f"__{key}__"
    for k in HIDDEN_KEYS:
        if key.endswith(k) and not key.startswith("__"):
            raise MXNetError(f"setting variable attributes with {key} is deprecated. "
                             f"please instead use\nw = Variable({k}=...)\nsym = "
                             f"YourSymbolName({key[:-len(k) - 1]}=w)")
    return key


def _attr_string(param, raw):
    """MXNet's string for one operator parameter value (what ``list_attr`` shows and
    the JSON stores).  MXNet's generated ``mx.sym.<op>`` simply does ``str(value)``, so
    the string keeps the caller's spelling: ``shape=[2, -1]`` stays ``'[2, -1]'``,
    ``axis=1`` is ``'1'`` (not ``'(1,)'``), ``shape=4`` is ``'4'``.  Only dtypes are
    normalised (``np.float16`` -> ``'float16'``).  NumPy scalars print as under the
    NumPy 1.x MXNet 1.9.1 ran with: ``(np.int64(2),)`` gives ``'(2,)'``."""
    if isinstance(raw, str):
        return raw
    if param is not None and param.kind == "dtype":
        return param.to_string(param.parse(raw))
    if isinstance(raw, (bool, int, float, np.generic, list, tuple)) or raw is None:
        return _py_str(raw)
    return param.to_string(param.parse(raw))    # e.g. a NumPy array


def _py_str(value):
    """``str(value)`` for scalars, lists and tuples, NumPy scalars printed bare."""
    if isinstance(value, (list, tuple)):
        items = [_py_str(v) if isinstance(v, (list, tuple, np.generic)) else repr(v)
                 for v in value]
        if isinstance(value, list):
            return "[" + ", ".join(items) + "]"
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    return str(value)


class Symbol:
    """A symbolic graph: a list of outputs (entries ``(node, index, version)``)."""
    __slots__ = ("_outputs", "__weakref__")
    __array_priority__ = 1000.0

    def __init__(self, outputs):
        self._outputs = list(outputs)

    # ---- identity and outputs ------------------------------------------------------
    @property
    def name(self):
        """The name of the symbol's node: one node, even with several outputs
        (``BatchNorm(..., output_mean_var=True).name`` is ``'batchnorm0'``); None for a
        group of several nodes."""
        nodes = {id(e[0]) for e in self._outputs}
        if len(nodes) != 1:
            return None
        return self._outputs[0][0].name

    def __len__(self):
        return len(self._outputs)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __repr__(self):
        cls = "_Symbol" if NP_MODE.array else "Symbol"     # (MXNet's mx.sym.np class)
        if self.name is not None:        # one node, even with several outputs
            return f"<{cls} {self.name}>"
        return f"<{cls} group [{', '.join(s.name for s in self)}]>"

    def __getitem__(self, index):
        """Select output ``index`` (an int, or a name from ``list_outputs()``).  After
        ``npx.set_np()`` a one-output Symbol is sliced like an mx.np array instead
        (``x[1]``, ``x[:, 1:3]``: what hybridized np code writes)."""
        if NP_MODE.array and len(self._outputs) == 1 and not isinstance(index, str):
            return _np_basic_index(self, index)
        if isinstance(index, slice):
            return Group([self[i] for i in range(len(self))[index]])
        if isinstance(index, str):
            names = self.list_outputs()
            hits = [i for i, n in enumerate(names) if n == index]
            if not hits:
                raise ValueError(f"There is no output named {index!r}; the outputs are "
                                 f"{names}")
            if len(hits) > 1:
                raise ValueError(f"There are multiple outputs with name {index!r}")
            index = hits[0]
        if not isinstance(index, (int, np.integer)):
            raise TypeError("Symbol only supports integer or string index (output "
                            "selection); there is no array slicing on a Symbol")
        if not -len(self._outputs) <= index < len(self._outputs):
            raise IndexError(f"Symbol output index {index} out of range "
                             f"({len(self._outputs)} outputs)")
        return Symbol([self._outputs[index]])

    def __copy__(self):
        return self._deepcopy()

    def __deepcopy__(self, memo):
        return self._deepcopy()

    def _deepcopy(self, replace=None):
        """A copy of the whole graph; ``replace`` maps id(variable node) -> entry."""
        replace = replace or {}
        new = {}
        for node in topo_order(self._outputs):
            if id(node) in replace:
                continue
            n = Node(node.op, node.name, node.attrs)
            n.version, n._parsed, n.subgraphs = node.version, node._parsed, node.subgraphs
            n.inputs = [self._map(e, new, replace) for e in node.inputs]
            n.control_deps = [new[id(c)] for c in node.control_deps if id(c) in new]
            new[id(node)] = n
        return Symbol([self._map(e, new, replace) for e in self._outputs])

    @staticmethod
    def _map(entry, new, replace):
        if id(entry[0]) in replace:
            return replace[id(entry[0])]
        return (new[id(entry[0])], entry[1], entry[2])

    # ---- graph queries ---------------------------------------------------------------
    def _topo(self):
        return topo_order(self._outputs)

    def _variables(self):
        """(arguments, aux states), each a list of variable nodes in DFS order."""
        order = self._topo()
        mutable = set()
        for node in order:
            for i in node.mutable_inputs():
                mutable.add(id(node.inputs[i][0]))
        args = [n for n in order if n.is_variable and id(n) not in mutable]
        aux = [n for n in order if n.is_variable and id(n) in mutable]
        return args, aux

    def list_arguments(self):
        """Names of the arguments (inputs that are not auxiliary states), DFS order."""
        return [n.name for n in self._variables()[0]]

    def list_auxiliary_states(self):
        """Names of the auxiliary states (``bn_moving_mean``, ``bn_moving_var``)."""
        return [n.name for n in self._variables()[1]]

    def list_inputs(self):
        """Names of every variable (arguments and aux states), DFS order."""
        return [n.name for n in self._topo() if n.is_variable]

    def list_outputs(self):
        """``['fc1_output']``; ``['slice_output0', ...]`` for several outputs."""
        return [e[0].entry_name(e[1]) for e in self._outputs]

    def get_internals(self):
        """A group of every node's visible outputs (variables too), in DFS order;
        index it by name: ``net.get_internals()['fc1_output']``."""
        outs = []
        for node in self._topo():
            for i in range(node.num_visible_outputs()):
                outs.append((node, i, 0))
        return Symbol(outs)

    def get_children(self):
        """The direct inputs of the output nodes as a group, or None for a variable."""
        outs = []
        for e in self._outputs:
            outs.extend(e[0].inputs)
        return Symbol(outs) if outs else None

    # ---- attributes ------------------------------------------------------------------
    def attr(self, key):
        """Attribute ``key`` of this symbol's node, or None (also for a group of
        several nodes, as MXNet)."""
        if len({id(e[0]) for e in self._outputs}) != 1:
            return None
        node = self._outputs[0][0]
        if key == "name":
            return node.name
        if key in node.attrs:
            return node.attrs[key]
        if key in HIDDEN_KEYS:
            return node.attrs.get(f"__{key}__")
        return None

    def list_attr(self, recursive=False):
        """The node's attributes; hidden ``__lr_mult__`` also appears as ``lr_mult``."""
        if recursive:
            raise DeprecationWarning("Symbol.list_attr with recursive=True has been "
                                     "deprecated. Please use attr_dict instead.")
        return _with_unhidden(self._outputs[0][0].attrs)     # a group: its first node

    def attr_dict(self):
        """``{node name: {key: value}}`` for every node that has attributes."""
        out = {}
        for node in self._topo():
            if node.attrs:
                out[node.name] = _with_unhidden(node.attrs)
        return out

    def _set_attr(self, **kwargs):
        """Set string attributes on this symbol's node(s)."""
        for key, value in kwargs.items():
            if not isinstance(value, str):
                raise ValueError("Set Attr only accepts string values")
            self._head_node()            # a group of several nodes: MXNetError
            for e in self._outputs:
                e[0].attrs[_hide_key(key)] = value
                e[0]._parsed = None

    def _head_node(self):
        nodes = {id(e[0]): e[0] for e in self._outputs}
        if len(nodes) != 1:
            raise MXNetError("attr: this symbol has several output nodes (a group); "
                             "select one output first")
        return self._outputs[0][0]

    # ---- composition -----------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        """A copy with free variables replaced: ``net(data=other)`` (or positionally,
        in ``list_arguments()`` order)."""
        s = self.__copy__()
        s._compose(*args, **kwargs)
        return s

    def _compose(self, *args, **kwargs):
        name = kwargs.pop("name", None)
        if args and kwargs:
            raise TypeError("compose only accept input Symbols either as positional or "
                            "keyword arguments, not both")
        for v in list(args) + list(kwargs.values()):
            if not isinstance(v, Symbol):
                raise TypeError("Compose expect `Symbol` as arguments")
            if len(v) != 1:
                raise MXNetError("compose: an input must be a single-output symbol, got "
                                 f"{v.list_outputs()}")
        variables = {n.name: n for n in self._topo() if n.is_variable}
        replace = {}
        if args:      # nnvm: "General composition only support kwargs for now"
            raise MXNetError("compose: a composed symbol takes its inputs by name only "
                             f"(net(data=x)), got {len(args)} positional inputs")
        for key, s in kwargs.items():
            if key not in variables:
                raise MXNetError(f"compose: keyword argument {key!r} is not a free "
                                 f"variable of the symbol; candidates are "
                                 f"{sorted(variables)}")
            replace[id(variables[key])] = s._outputs[0]
        new = self._deepcopy(replace)
        self._outputs = new._outputs
        if name is not None and len(self._outputs) == 1 and not self._outputs[0][0].is_variable:
            self._outputs[0][0].name = name

    # ---- inference -------------------------------------------------------------------
    def infer_shape(self, *args, **kwargs):
        """``(arg_shapes, out_shapes, aux_shapes)``, or ``(None, None, None)`` when some
        shape cannot be inferred.  Shapes are given positionally (in
        ``list_arguments()`` order) or by name."""
        from ..executor.infer_shape import infer_symbol_shape
        _check_shape_tuples(args, kwargs)
        try:
            return infer_symbol_shape(self, args, kwargs, partial=False)
        except MXNetError:
            _print_infer_error("infer_shape", args, kwargs)
            raise

    def infer_shape_partial(self, *args, **kwargs):
        """Like ``infer_shape`` but unknown shapes come back as ``()``."""
        from ..executor.infer_shape import infer_symbol_shape
        _check_shape_tuples(args, kwargs)
        return infer_symbol_shape(self, args, kwargs, partial=True)

    def infer_type(self, *args, **kwargs):
        """``(arg_types, out_types, aux_types)`` as NumPy types, or ``(None,)*3``."""
        from ..executor.infer_type import infer_symbol_type
        try:
            return infer_symbol_type(self, args, kwargs, partial=False)
        except MXNetError:
            _print_infer_error("infer_type", args, kwargs)
            raise

    def infer_type_partial(self, *args, **kwargs):
        """Like ``infer_type``, but returns what it could infer, with None for the
        dtypes it could not, instead of ``(None, None, None)``.
        """
        from ..executor.infer_type import infer_symbol_type
        return infer_symbol_type(self, args, kwargs, partial=True)

    # ---- serialisation ---------------------------------------------------------------
    def tojson(self, remove_amp_cast=True):
        """The graph in MXNet's symbol JSON (notes 2.2)."""
        from .json import to_json
        return to_json(self)

    def save(self, fname, remove_amp_cast=True):
        """Write ``tojson()`` to ``fname`` (``*-symbol.json``)."""
        with open(fname, "w") as f:
            f.write(self.tojson())

    def debug_str(self):
        """nnvm's text dump of the graph (``Symbol Outputs:``, then every node)."""
        lines = ["Symbol Outputs:"]
        for i, e in enumerate(self._outputs):
            lines.append(f"\toutput[{i}]={e[0].name}({e[1]})")
        for node in self._topo():
            if node.is_variable:
                lines.append(f"Variable:{node.name}")
                continue
            lines += ["-" * 20, f"Op:{node.op.name}, Name={node.name}", "Inputs:"]
            for j, (src, idx, ver) in enumerate(node.inputs):
                tail = f" version={ver}" if src.is_variable else ""
                lines.append(f"\targ[{j}]={src.name}({idx}){tail}")
            if node.attrs:
                lines.append("Attrs:")
                lines += [f"\t{k}={v}" for k, v in sorted(node.attrs.items())]
            if node.control_deps:
                lines.append("Control deps:")
                lines += [f"\tcdep[{j}]={c.name}" for j, c in enumerate(node.control_deps)]
        return "\n".join(lines) + "\n"

    # ---- binding ---------------------------------------------------------------------
    def simple_bind(self, ctx=None, grad_req="write", type_dict=None, stype_dict=None,
                    group2ctx=None, shared_arg_names=None, shared_exec=None,
                    shared_buffer=None, **kwargs):
        """Infer shapes from ``kwargs`` (name=shape), allocate every array and bind."""
        from ..executor.executor import simple_bind
        return simple_bind(self, ctx, grad_req=grad_req, type_dict=type_dict,
                           group2ctx=group2ctx, shared_exec=shared_exec, shapes=kwargs,
                           shared_arg_names=shared_arg_names, stype_dict=stype_dict)

    def bind(self, ctx=None, args=None, args_grad=None, grad_req="write",
             aux_states=None, group2ctx=None, shared_exec=None):
        """Bind given arrays (lists in ``list_arguments()`` order, or dicts by name)."""
        from ..executor.executor import Executor
        return Executor(self, ctx, args, args_grad, grad_req, aux_states,
                        group2ctx=group2ctx, shared_exec=shared_exec)

    _simple_bind = simple_bind
    _bind = bind

    def eval(self, ctx=None, **kwargs):
        """Bind ``kwargs`` (name=NDArray), run forward, return the list of outputs."""
        exe = self.bind(ctx, args=kwargs, grad_req="null")
        return exe.forward()

    def gradient(self, wrt):
        """The gradient of this (loss) symbol with respect to the arguments ``wrt``,
        as a group (MXNet: only for symbols whose head needs no head gradient)."""
        from ..executor.gradient import build_gradient
        args = {n.name: n for n in self._variables()[0]}
        missing = [w for w in wrt if w not in args]
        if missing:
            raise MXNetError(f"gradient: {missing} are not arguments of the symbol")
        plan = build_gradient(self, [args[w] for w in wrt])
        if plan.head_grad_nodes_used():
            raise MXNetError("gradient: the symbol needs head gradients (it is not a "
                             "loss); bind it and call backward(out_grads) instead")
        return Group([g if g is not None else zeros_like_sym(args[w])
                      for g, w in zip(plan.grad_symbols(), wrt)])

    # ---- arithmetic: elementwise (no broadcasting), scalars on either side -----------
    def _binary(self, other, sym_op, scalar_op, hint, scalar_hint):
        if isinstance(other, Symbol):
            if NP_MODE.array:            # after npx.set_np(), symbols broadcast as mx.np
                sym_op = sym_op.replace("elemwise_", "broadcast_")
            return _create(get_op(sym_op), [self, other], {}, None, None, hint)
        if isinstance(other, (int, float, np.number)) and not isinstance(other, bool):
            return _create(get_op(scalar_op), [self], {"scalar": other}, None, None,
                           scalar_hint)
        if isinstance(other, bool):
            return _create(get_op(scalar_op), [self], {"scalar": int(other)}, None, None,
                           scalar_hint)
        raise TypeError(f"type {type(other).__name__} not supported")

    def __add__(self, o): return self._binary(o, "elemwise_add", "_plus_scalar", "_plus", "_plusscalar")
    def __radd__(self, o): return self.__add__(o)
    def __sub__(self, o): return self._binary(o, "elemwise_sub", "_minus_scalar", "_minus", "_minusscalar")
    def __rsub__(self, o): return self._binary(o, "elemwise_sub", "_rminus_scalar", "_minus", "_rminusscalar")
    def __mul__(self, o): return self._binary(o, "elemwise_mul", "_mul_scalar", "_mul", "_mulscalar")
    def __rmul__(self, o): return self.__mul__(o)
    def __truediv__(self, o): return self._binary(o, "elemwise_div", "_div_scalar", "_div", "_divscalar")
    def __rtruediv__(self, o): return self._binary(o, "elemwise_div", "_rdiv_scalar", "_div", "_rdivscalar")
    __div__, __rdiv__ = __truediv__, __rtruediv__
    def __mod__(self, o): return self._binary(o, _elemwise("mod"), "_mod_scalar", "_mod", "_modscalar")
    def __rmod__(self, o): return self._binary(o, _elemwise("mod"), "_rmod_scalar", "_mod", "_rmodscalar")
    def __pow__(self, o): return self._binary(o, _elemwise("power"), "_power_scalar", "_power", "_powerscalar")
    def __rpow__(self, o): return self._binary(o, _elemwise("power"), "_rpower_scalar", "_power", "_rpower_scalar")
    def __neg__(self): return self.__mul__(-1.0)
    def __pos__(self): return self
    def __abs__(self): return self.abs()
    def __eq__(self, o): return self._binary(o, _elemwise("equal"), "_equal_scalar", "_equal", "_equal_scalar")
    def __ne__(self, o): return self._binary(o, _elemwise("not_equal"), "_not_equal_scalar", "_not_equal", "_not_equal_scalar")
    def __gt__(self, o): return self._binary(o, _elemwise("greater"), "_greater_scalar", "_greater", "_greater_scalar")
    def __ge__(self, o): return self._binary(o, _elemwise("greater_equal"), "_greater_equal_scalar", "_greater_equal", "_greater_equal_scalar")
    def __lt__(self, o): return self._binary(o, _elemwise("lesser"), "_lesser_scalar", "_lesser", "_lesser_scalar")
    def __le__(self, o): return self._binary(o, _elemwise("lesser_equal"), "_lesser_equal_scalar", "_lesser_equal", "_lesser_equal_scalar")
    __hash__ = object.__hash__

    def __bool__(self):
        raise NotImplementedError("A Symbol has no truth value (it is not computed); "
                                  "compare NDArrays instead")

    # ---- fluent methods that need care -----------------------------------------------
    def reshape(self, *shape, **kwargs):
        """``Reshape`` with MXNet's special codes (``s.reshape((0, -1))``)."""
        if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
            shape = shape[0]
        if shape:
            kwargs["shape"] = tuple(shape)
        return _call_op("Reshape", self, **kwargs)

    def astype(self, dtype):
        """A ``Cast`` node converting this symbol's output to ``dtype``."""
        return _call_op("Cast", self, dtype=dtype)

    def transpose(self, *axes, **kwargs):
        """``transpose`` node; ``s.transpose(0, 2, 1)`` as ``mx.np`` code writes it in a
        hybridized block, or ``s.transpose(axes=(0, 2, 1))``."""
        if len(axes) == 1 and isinstance(axes[0], (list, tuple)):
            axes = axes[0]
        if axes:
            kwargs["axes"] = tuple(axes)
        return _call_op("transpose", self, **kwargs)

    @property
    def T(self):
        return _call_op("transpose", self)

    def __getstate__(self):
        return {"json": self.tojson()}

    def __setstate__(self, state):
        self._outputs = load_json(state["json"])._outputs


def _elemwise(name):
    """MXNet's Symbol comparison/mod/power ops are same-shape ``_equal`` etc.; pymx
    registers the broadcasting ones, which equal them on same-shape inputs."""
    for cand in (f"_{name}", f"elemwise_{name}", f"broadcast_{name}"):
        try:
            get_op(cand)
            return cand
        except MXNetError:
            continue
    return f"broadcast_{name}"


def _with_unhidden(attrs):
    """A node's attributes as MXNet lists them: in the iteration order of MXNet's
    ``unordered_map`` (``attr_order.py``), each hidden ``__lr_mult__`` (etc.) followed
    by a copy under its plain name ``lr_mult``."""
    out = {}
    for k in unordered_map_order(attrs):
        out[k] = attrs[k]
        if k.startswith("__") and k.endswith("__") and k[2:-2] in HIDDEN_KEYS:
            out[k[2:-2]] = attrs[k]
    return out


def _check_shape_tuples(args, kwargs):
    """MXNet's ``infer_shape`` takes shapes as tuples only (a list, or None for a
    keyword, is a TypeError); None positionally means unknown."""
    for i, s in enumerate(args):
        if s is not None and not isinstance(s, tuple):
            raise TypeError(f"Arguments need to be shapes (tuple), but argument {i} is "
                            f"{type(s)}.")
    for k, s in kwargs.items():
        if not isinstance(s, tuple):
            raise TypeError(f"Arguments need to be shapes (tuple), but '{k}' is "
                            f"{type(s)}.")


def _print_infer_error(what, args, kwargs):
    """MXNet's ``infer_shape``/``infer_type`` print the arguments they were given
    (to stdout) before re-raising an inference error."""
    print(f"{what} error. Arguments:")
    for i, arg in enumerate(args):
        print("  #%d: %s" % (i, arg))
    for k, v in kwargs.items():
        print("  %s: %s" % (k, v))


def zeros_like_sym(node):
    return _call_op("zeros_like", Symbol([(node, 0, node.version)]))


def _call_op(op_name, *inputs, **kwargs):
    name = kwargs.pop("name", None)
    return _create(get_op(op_name), list(inputs), kwargs, name, None, None)


# ---- creating symbols ----------------------------------------------------------------
def var(name, attr=None, shape=None, lr_mult=None, wd_mult=None, dtype=None, init=None,
        stype=None, **kwargs):
    """A variable (a placeholder for an argument or aux state).  ``shape``, ``dtype``,
    ``lr_mult``, ``wd_mult``, ``init`` and ``stype`` become the hidden attributes
    ``__shape__``, ``__dtype__`` (the mshadow type flag), ``__lr_mult__``,
    ``__wd_mult__``, ``__init__`` (the initializer's JSON) and ``__storage_type__``."""
    if not isinstance(name, str):
        raise TypeError("Expect a string for variable `name`")
    attr = AttrScope.current.get(attr)
    if any(not isinstance(v, str) for v in attr.values()):
        raise ValueError("Set Attr only accepts string values")
    attr = {_hide_key(k): v for k, v in attr.items()}
    if shape is not None:        # str(shape) as MXNet: a list stays "[1, 2]"
        attr["__shape__"] = (str(type(shape)(int(d) for d in shape))
                             if isinstance(shape, (list, tuple)) else str(shape))
    if lr_mult is not None:
        attr["__lr_mult__"] = str(lr_mult)
    if wd_mult is not None:
        attr["__wd_mult__"] = str(wd_mult)
    if dtype is not None:
        attr["__dtype__"] = str(DTYPE_TO_FLAG[np.dtype(dtype)])
    if init is not None:
        attr["__init__"] = init if isinstance(init, str) else init.dumps()
    if stype is not None:
        attr["__storage_type__"] = str(_STYPE_TO_ID[stype])
    for k, v in kwargs.items():
        if k.startswith("__") and k.endswith("__"):
            attr[k] = str(v)
        else:
            raise ValueError(f"Attribute name={k} is not supported. Additional attributes "
                             "must start and end with double underscores, e.g, __yourattr__")
    return Symbol([(Node(None, name, attr), 0, 0)])


Variable = var


def Group(symbols):
    """One symbol whose outputs are the outputs of ``symbols``, in order."""
    if not symbols or any(not isinstance(s, Symbol) for s in symbols):
        raise TypeError("Expected a list of symbols as input")
    outs = []
    for s in symbols:
        outs.extend(s._outputs)
    return Symbol(outs)


def load_json(json_str):
    """A Symbol from MXNet's symbol JSON (older versions are upgraded)."""
    from .json import from_json
    return from_json(json_str)


def load(fname):
    """A Symbol from a ``*-symbol.json`` file."""
    with open(fname) as f:
        return load_json(f.read())


#: initializers MXNet's BatchNorm gives its aux variables (FSetInputVarAttrOnCompose)
_AUX_INIT = {"moving_mean": '["zero", {}]', "moving_var": '["one", {}]'}


def _mxnet_attr_sequence(op, given, scope):
    """The node's attributes in the order MXNet's generated ``mx.sym.<op>`` inserts
    them into the node's ``unordered_map`` (which decides ``list_attr()``'s order, see
    ``attr_order.py``): the keyword arguments that are not parameters, then the
    ``AttrScope`` attributes, then the parameters in the operator's declared order with
    ``dtype`` last.  Ops with a variable number of inputs keep the caller's order and
    add ``num_args`` last."""
    if op.key_var_num_args:
        num_args = {k: v for k, v in given.items() if k == op.key_var_num_args}
        out = {k: v for k, v in given.items() if k != op.key_var_num_args}
        out.update(scope)
        out.update(num_args)
        return out
    out = {k: v for k, v in given.items() if k not in op.params}
    out.update(scope)
    declared = {k: i for i, k in enumerate(op.params)}    # (Custom: any key is one)
    out.update((k, given[k]) for k in sorted(
        (k for k in given if k in op.params),
        key=lambda k: (k == "dtype", declared.get(k, len(declared)))))
    return out


def _np_basic_index(sym, key):
    """mx.np's basic indexing of a Symbol: ints and slices (one per leading axis), as
    one ``slice`` node plus a ``squeeze`` of the axes given by an int."""
    key = key if isinstance(key, tuple) else (key,)
    begin, end, step, drop = [], [], [], []
    for axis, k in enumerate(key):
        if isinstance(k, (int, np.integer)):
            k = int(k)
            begin.append(k)
            end.append(None if k == -1 else k + 1)
            step.append(None)
            drop.append(axis)
        elif isinstance(k, slice):
            if k.step == 0:
                raise ValueError("slice step cannot be zero")
            begin.append(k.start)
            end.append(k.stop)
            step.append(k.step)
        else:
            raise IndexError(f"Only integer, slice, or tuple of these types are supported "
                             f"on a Symbol! Received key={key}")
    if not key:
        return sym
    out = _call_op("slice", sym, begin=tuple(begin), end=tuple(end), step=tuple(step))
    return _call_op("squeeze", out, axis=tuple(drop)) if drop else out


def _create(op, inputs, params, name, attr, hint, named_inputs=None):
    """Create operator node ``op`` and return its visible outputs as a Symbol.

    ``inputs`` are Symbols for the first inputs (or None), ``named_inputs`` maps input
    names to Symbols, ``params`` are the operator's parameters (Python values or
    strings); missing inputs become variables ``<name>_<input>``."""
    strings = {}
    subgraphs = tuple(params.pop("subgraphs", ()))   # control flow: the loop body
    for key, value in params.items():
        if key.startswith("__") and key.endswith("__"):
            strings[key] = str(value)
            continue
        p = op.params.get(key)
        if p is None:
            op.parse_attrs({key: value})          # raises MXNet's unknown-argument error
        strings[key] = str(value) if p is None else _attr_string(p, value)  # None: kept, unused
    parsed = op.parse_attrs({k: v for k, v in strings.items() if k in op.params})
    if subgraphs:
        parsed = Attrs(parsed, subgraphs=subgraphs)
    name = NameManager.current.get(name, hint or op.name.lower())
    scope = {_hide_key(k): v for k, v in AttrScope.current.get(attr).items()}
    node = Node(op, name, _mxnet_attr_sequence(op, strings, scope))
    node._parsed, node.subgraphs = parsed, subgraphs
    in_names = op.input_names(parsed)
    named_inputs = dict(named_inputs or {})
    given = list(inputs)
    if len(given) > len(in_names):
        raise MXNetError(f"{op.name}: {len(given)} inputs given but it takes "
                         f"{len(in_names)} ({in_names})")
    entries = []
    for i, in_name in enumerate(in_names):
        s = given[i] if i < len(given) else None
        if s is None:
            s = named_inputs.pop(in_name, None)
        elif in_name in named_inputs:
            raise MXNetError(f"{op.name}: input {in_name!r} given twice")
        if s is None:
            v = Node(None, f"{name}_{in_name}", node.attrs)   # MXNet copies them
            if in_name in op.aux and in_name in _AUX_INIT and "__init__" not in strings:
                v.attrs["__init__"] = _AUX_INIT[in_name]
            entries.append((v, 0, 0))
            continue
        if not isinstance(s, Symbol):
            raise TypeError(f"{op.name}: input {in_name!r} must be a Symbol, got "
                            f"{type(s).__name__}")
        if len(s._outputs) != 1:
            raise MXNetError(f"{op.name}: input {in_name!r} must be a single-output "
                             f"symbol, got outputs {s.list_outputs()}")
        entries.append(s._outputs[0])
    if named_inputs:
        raise MXNetError(f"{op.name}: unknown inputs {sorted(named_inputs)}; it takes "
                         f"{in_names}")
    for i in range(len(entries)):                  # aux states: the op mutates them
        if in_names[i] in op.aux and entries[i][0].is_variable:
            v = entries[i][0]
            v.version += 1
            entries[i] = (v, entries[i][1], v.version)
    node.inputs = entries
    return Symbol([(node, i, 0) for i in range(op.num_visible_outputs(parsed))])


def make_function(op, name=None):
    """Build ``mx.sym.<name>`` for ``op``: positional inputs, then parameters in their
    declared order (as ``mx.nd``); inputs may also be passed by name; ``name=`` and
    ``attr=`` name the node and attach attributes."""
    fname = name or op.name
    variadic = op._inputs == "*data"
    param_order = [p for p in op.params if p != op.key_var_num_args]
    hint = fname.lower()

    def fn(*args, name=None, attr=None, out=None, **kwargs):
        if variadic:
            if len(args) == 1 and isinstance(args[0], (list, tuple)):
                args = tuple(args[0])
            inputs = [x for x in args if isinstance(x, Symbol)]
            rest = [x for x in args if not isinstance(x, Symbol)]
            for p, v in zip(param_order, rest):
                kwargs[p] = v
            kwargs[op.key_var_num_args] = len(inputs)
            return _create(op, inputs, kwargs, name, attr, hint)
        inputs = []
        i = 0
        while i < len(args) and (isinstance(args[i], Symbol) or args[i] is None):
            inputs.append(args[i])
            i += 1
        for p, v in zip([p for p in param_order if p not in kwargs], args[i:]):
            kwargs[p] = v
        if len(args) - i > len(param_order):
            raise TypeError(f"{fname}() got too many positional arguments")
        named = {k: kwargs.pop(k) for k in list(kwargs)
                 if isinstance(kwargs[k], Symbol) or (kwargs[k] is None and k not in op.params)}
        named = {k: v for k, v in named.items() if v is not None}
        return _create(op, inputs, kwargs, name, attr, hint, named)

    fn.__name__ = fname
    fn.__qualname__ = fname
    from ..ndarray.register import _docstring
    fn.__doc__ = _docstring(op).replace(": NDArray", ": Symbol")
    return fn


# ---- creation helpers (MXNet's mx.sym.zeros etc.) ---------------------------------------
def zeros(shape, dtype=None, **kwargs):
    """A symbol of zeros of ``shape`` (float32 unless ``dtype``): the ``_zeros`` op,
    which has no inputs.
    """
    return _call_op("_zeros", shape=shape, dtype=np.dtype(dtype or np.float32).name, **kwargs)


def ones(shape, dtype=None, **kwargs):
    """A symbol of ones of ``shape`` (float32 unless ``dtype``): the ``_ones`` op."""
    return _call_op("_ones", shape=shape, dtype=np.dtype(dtype or np.float32).name, **kwargs)


def full(shape, val, dtype=None, **kwargs):
    """A symbol of ``shape`` filled with ``val`` (float32 unless ``dtype``)."""
    return _call_op("_full", shape=shape, value=float(val),
                    dtype=np.dtype(dtype or np.float32).name, **kwargs)


def arange(start, stop=None, step=1.0, repeat=1, infer_range=False, name=None, dtype=None):
    """``start, start + step, ...`` up to ``stop`` (exclusive), each value
    ``repeat`` times; ``stop=None`` counts from 0 to ``start``, as NumPy.
    float32 unless ``dtype`` (MXNet's default, not NumPy's int64).  ``infer_range``
    is recorded as an attribute (as MXNet does) and otherwise ignored.
    """
    return _call_op("_arange", start=start, stop=stop, step=step, repeat=repeat,
                    infer_range=infer_range, dtype=np.dtype(dtype or np.float32).name,
                    name=name)


def eye(N, M=0, k=0, dtype=None, **kwargs):
    """An ``N x M`` (``M=0``: square) symbol with ones on diagonal ``k``."""
    return _call_op("_eye", N=N, M=M, k=k, dtype=np.dtype(dtype or np.float32).name,
                    **kwargs)


def linspace(start, stop, num, endpoint=True, name=None, dtype=None):
    """``num`` evenly spaced values from ``start`` to ``stop`` (float32 unless
    ``dtype``)."""
    return _call_op("_linspace", start=start, stop=stop, num=num, endpoint=endpoint,
                    dtype=np.dtype(dtype or np.float32).name, name=name)


def _symbol_or_scalar(fname, left, right, sym_op, sym_hint, scalar_op, scalar_hint,
                      py_fn, swap_hint=None):
    """MXNet's module-level ``mx.sym.maximum`` etc.: two Symbols -> the elementwise
    op, a Symbol and a number (either side) -> the ``_scalar`` op, two numbers ->
    the Python result.  Node names follow MXNet's aliases (``_maximum0``,
    ``_maximumscalar0``, ``_rpowerscalar0``)."""
    from numbers import Number
    if isinstance(left, Symbol) and isinstance(right, Symbol):
        return _create(get_op(sym_op), [left, right], {}, None, None, sym_hint)
    if isinstance(left, Symbol) and isinstance(right, Number):
        return _create(get_op(scalar_op), [left], {"scalar": right}, None, None,
                       scalar_hint)
    if isinstance(left, Number) and isinstance(right, Symbol):
        op, hint = swap_hint or (scalar_op, scalar_hint)
        return _create(get_op(op), [right], {"scalar": left}, None, None, hint)
    if isinstance(left, Number) and isinstance(right, Number):
        return py_fn(left, right)
    raise TypeError(f"types ({type(left)}, {type(right)}) not supported")


def pow(base, exp):  # noqa: A001  (MXNet's name)
    """``base ** exp`` for Symbols and/or numbers."""
    return _symbol_or_scalar("pow", base, exp, _elemwise("power"), "_power",
                             "_power_scalar", "_powerscalar", lambda a, b: a ** b,
                             swap_hint=("_rpower_scalar", "_rpowerscalar"))


def power(base, exp):
    """Same as ``pow``."""
    return pow(base, exp)


def maximum(left, right):
    """Elementwise maximum of Symbols and/or numbers."""
    return _symbol_or_scalar("maximum", left, right, _elemwise("maximum"), "_maximum",
                             "_maximum_scalar", "_maximumscalar", max)


def minimum(left, right):
    """Elementwise minimum of Symbols and/or numbers."""
    return _symbol_or_scalar("minimum", left, right, _elemwise("minimum"), "_minimum",
                             "_minimum_scalar", "_minimumscalar", min)


def hypot(left, right):
    """Elementwise ``sqrt(left**2 + right**2)`` of Symbols and/or numbers."""
    return _symbol_or_scalar("hypot", left, right, _elemwise("hypot"), "_hypot",
                             "_hypot_scalar", "_hypotscalar", np.hypot)


def _install_fluent():
    from ..ndarray.ndarray import FLUENT_METHODS

    def make(op_name):
        def method(self, *args, **kwargs):
            from . import op as _op_ns
            return getattr(_op_ns, op_name)(self, *args, **kwargs)
        method.__name__ = op_name
        method.__doc__ = f"Same as ``mx.sym.{op_name}(self, ...)``."
        return method

    for n in FLUENT_METHODS + ("reshape_like", "expand_dims", "broadcast_axes"):
        if not hasattr(Symbol, n):
            setattr(Symbol, n, make(n))


_install_fluent()
_ = (_copy, _json, FLAG_TO_DTYPE)
