"""``Block`` and ``HybridBlock``: the building blocks of Gluon models.

A ``Block`` owns ``Parameter`` s and child Blocks; assigning either as an attribute
registers it.  Calling the block runs ``forward`` (with pre/post hooks around it).

**Names.**  Every block has a *prefix*.  At top level it comes from a global counter per
class alias (``dense0_``, ``dense1_``, ...).  Inside ``with parent.name_scope():`` a child
gets ``parent.prefix + alias + local counter`` (``model0_dense0_``).  A parameter's full
name is its block's prefix + its own name (``model0_dense0_weight``).  Full names are
what ``collect_params()`` returns and what ``export`` writes; ``save_parameters`` uses
*structural* names instead (``'features.0.weight'``: attribute path), so a file loads
into a copy of the net whatever its prefix (MXNet issue #11091).

**HybridBlock.**  The computation is written once, as
``hybrid_forward(F, x, *args, **params)``: ``F`` is ``mx.nd`` when called on NDArrays
(imperative) and ``mx.sym`` when traced into a graph (``hybridize``), and the
parameters arrive as keyword arguments (arrays or variables).

**Deferred shapes.**  A layer built without its input size (``Dense(10)``) has a weight
shape with a 0.  On its first call, ``HybridBlock.forward`` finds the parameter still
deferred and calls ``infer_shape(x, ...)``.  MXNet traces the block into a Symbol and
runs shape inference, which pymx does too (``_infer_attrs``) for user-written blocks
and for hybridized ones.  pymx's built-in layers override ``infer_shape`` with their
operator's own shape rule applied to the input shape (Dense: weight ``(units,
prod(x.shape[1:]))``), so the imperative path does not need to trace a graph.

**hybridize().**  The first call after ``hybridize()`` traces ``hybrid_forward`` with
``F = mx.sym`` into one Symbol (inputs ``data`` or ``data0, data1, ...``; parameters are
variables named by their full names) and wraps it in a ``CachedOp`` (``pymx.cached_op``),
which records as one node on the autograd tape.  Assigning or registering a child
clears the cache, so the next call traces again.  ``export`` writes that graph and the
parameters; ``SymbolBlock.imports`` reads them back.
"""
from collections import OrderedDict, defaultdict
import copy
import json
import re
import threading
import warnings

import numpy as np

from .. import ndarray as nd
from .. import initializer
from .. import name as _name
from ..ndarray import NDArray
from .parameter import Parameter, ParameterDict, DeferredInitializationError, \
    _brief_print_list, shape_is_known
from .utils import _indent, HookHandle, _flatten, _regroup

__all__ = ["Block", "HybridBlock", "SymbolBlock"]


# ---- naming ---------------------------------------------------------------------------
class _GlobalNames:
    """Top-level prefixes: one counter per hint (``dense0``, ``dense1``, ``conv0``)."""
    _lock = threading.Lock()
    counters = {}

    @classmethod
    def get(cls, hint):
        try:                                   # share MXNet's NameManager when it exists
            from .. import name as _name
            return _name.NameManager.current.get(None, hint)
        except (ImportError, AttributeError):
            pass
        with cls._lock:
            n = cls.counters.get(hint, 0)
            cls.counters[hint] = n + 1
        return f"{hint}{n}"


class _BlockScope:
    """The ``with block.name_scope():`` context: children created inside get the
    block's prefix and their own per-block counters."""
    _current = threading.local()

    def __init__(self, block):
        self._block = block
        self._counter = {}
        self._old_scope = None
        self._name_scope = None

    @staticmethod
    def create(prefix, params, hint):
        """The (prefix, ParameterDict) of a new block created in the current scope."""
        current = getattr(_BlockScope._current, "value", None)
        if current is None:
            if prefix is None:
                prefix = _GlobalNames.get(hint) + "_"
            params = ParameterDict(prefix) if params is None else \
                ParameterDict(params.prefix, params)
            return prefix, params
        if prefix is None:
            count = current._counter.get(hint, 0)
            prefix = f"{hint}{count}_"
            current._counter[hint] = count + 1
        if params is None:
            parent = current._block.params
            params = ParameterDict(parent.prefix + prefix, parent._shared)
        else:
            params = ParameterDict(params.prefix, params)
        return current._block.prefix + prefix, params

    def __enter__(self):
        if self._block._empty_prefix:
            return self
        self._old_scope = getattr(_BlockScope._current, "value", None)
        _BlockScope._current.value = self
        try:                                  # symbols made inside get the prefix too
            self._name_scope = _name.Prefix(self._block.prefix)
            self._name_scope.__enter__()
        except (ImportError, AttributeError):
            self._name_scope = None
        return self

    def __exit__(self, ptype, value, trace):
        if self._block._empty_prefix:
            return
        if self._name_scope is not None:
            self._name_scope.__exit__(ptype, value, trace)
            self._name_scope = None
        _BlockScope._current.value = self._old_scope


# ---- Block ----------------------------------------------------------------------------
class Block:
    """Base class of all layers and models: subclass it and define ``forward``.

    Parameters
    ----------
    prefix : str or None
        The name prefix of this block and its parameters (None: automatic).
    params : ParameterDict or None
        Share these parameters instead of creating new ones
        (``Dense(20, params=dense0.collect_params())``).
    """

    def __init__(self, prefix=None, params=None):
        self._empty_prefix = prefix == ""
        self._prefix, self._params = _BlockScope.create(prefix, params, self._alias())
        self._name = self._prefix[:-1] if self._prefix.endswith("_") else self._prefix
        self._scope = _BlockScope(self)
        self._children = OrderedDict()
        self._reg_params = {}
        self._forward_hooks = OrderedDict()
        self._forward_pre_hooks = OrderedDict()

    def __repr__(self):
        modstr = "\n".join(f"  ({key}): {_indent(repr(block), 2)}"
                           for key, block in self.__dict__.items() if isinstance(block, Block))
        return f"{self.__class__.__name__}(\n{modstr}\n)"

    def __setattr__(self, name, value):
        """Assigning a Block registers a child, a Parameter registers a parameter."""
        if hasattr(self, name):
            existing = getattr(self, name)
            if isinstance(existing, (Parameter, Block)) and not isinstance(value, type(existing)):
                raise TypeError(f"Changing attribute type for {name} from {type(existing)} "
                                f"to {type(value)} is not allowed.")
        if isinstance(value, Block):
            self.register_child(value, name)
        elif isinstance(value, Parameter):
            if name in self._reg_params:
                raise AssertionError(
                    f"Overriding Parameter attribute {name} is not allowed. If you want to "
                    "share parameters between blocks, please set 'params' at Block "
                    "construction instead.")
            self._reg_params[name] = value
        super().__setattr__(name, value)

    def _check_container_with_block(self):
        """Warn about Blocks hidden in plain lists/dicts (they are not registered)."""
        children = set(self._children.values())

        def hidden(data):
            if isinstance(data, (list, tuple)):
                return any(hidden(e) for e in data)
            if isinstance(data, dict):
                return any(hidden(v) for v in data.values())
            return isinstance(data, Block) and data not in children

        for k, v in self.__dict__.items():
            if isinstance(v, (list, tuple, dict)) and not (k.startswith("__") or
                                                           k == "_children"):
                if hidden(v):
                    warnings.warn(
                        f'"{self.__class__.__name__}.{k}" is an unregistered container '
                        "with Blocks. Note that Blocks inside the list, tuple or dict will "
                        "not be registered automatically. Make sure to register them using "
                        "register_child() or switching to nn.Sequential/nn.HybridSequential "
                        "instead. ", stacklevel=3)

    def _alias(self):
        """The hint of automatic prefixes (the lower-cased class name by default)."""
        return self.__class__.__name__.lower()

    @property
    def prefix(self):
        """The prefix of this block (``dense0_``)."""
        return self._prefix

    @property
    def name(self):
        """The prefix without its trailing ``_``."""
        return self._name

    def name_scope(self):
        """``with self.name_scope():`` children created inside are named under this
        block's prefix."""
        return self._scope

    @property
    def params(self):
        """This block's own ParameterDict (children's parameters not included)."""
        return self._params

    def collect_params(self, select=None):
        """All parameters of this block and its descendants, keyed by full name;
        ``select`` is a regex (``'.*weight|.*bias'``) that names must ``match``."""
        self._check_container_with_block()
        ret = ParameterDict(self._params.prefix)
        if not select:
            ret.update(self.params)
        else:
            pattern = re.compile(select)
            ret.update({n: v for n, v in self.params.items() if pattern.match(n)})
        for child in self._children.values():
            ret.update(child.collect_params(select=select))
        return ret

    def _collect_params_with_prefix(self, prefix=""):
        """Parameters keyed by structural name: attribute path joined by dots."""
        if prefix:
            prefix += "."
        ret = {prefix + key: val for key, val in self._reg_params.items()}
        for name, child in self._children.items():
            ret.update(child._collect_params_with_prefix(prefix + name))
        return ret

    # ---- saving --------------------------------------------------------------------------
    def save_parameters(self, filename, deduplicate=False):
        """Save the parameters (``nd.save`` format) under structural names
        (``'0.weight'``, ``'features.3.bias'``).  ``deduplicate`` saves a shared
        parameter once."""
        params = self._collect_params_with_prefix()
        if deduplicate:
            reverse = {v: k for k, v in params.items()}
            params = {v: k for k, v in reverse.items()}
        nd.save(filename, {key: val._reduce() for key, val in params.items()})

    def save_params(self, filename):
        """[Deprecated] Save under full names minus this block's prefix."""
        warnings.warn("save_params is deprecated. Please use save_parameters. Note that if "
                      "you want load from SymbolBlock later, please use export instead.")
        self.collect_params().save(filename, strip_prefix=self.prefix)

    def load_parameters(self, filename, ctx=None, allow_missing=False, ignore_extra=False,
                        cast_dtype=False, dtype_source="current"):
        """Load a file written by ``save_parameters``.

        If no key of the file contains a ``'.'``, the file is taken to be a legacy
        full-name file (``save_params``, ``ParameterDict.save``, ``export``) and loaded
        through ``collect_params().load`` with this block's prefix restored.
        """
        loaded = nd.load(filename)
        if not isinstance(loaded, dict):
            raise ValueError(f"{filename} holds a list of arrays, not a name -> array dict")
        params = self._collect_params_with_prefix()
        if not loaded and not params:
            return
        if not any("." in k for k in loaded):
            self.collect_params().load(filename, ctx, allow_missing, ignore_extra,
                                       self.prefix, cast_dtype=cast_dtype,
                                       dtype_source=dtype_source)
            return
        if not allow_missing:
            inverse = defaultdict(list)
            for k, v in params.items():
                inverse[v].append(k)
            for name, param in params.items():
                if not any(p in loaded for p in inverse[param]):
                    raise AssertionError(
                        f"Parameter '{name}' is missing in file '{filename}', which contains "
                        f"parameters: {_brief_print_list(loaded.keys())}. Set "
                        "allow_missing=True to ignore missing parameters.")
        for name in loaded:
            if not ignore_extra and name not in params:
                raise ValueError(
                    f"Parameter '{name}' loaded from file '{filename}' is not present in "
                    f"ParameterDict, which contains parameters "
                    f"{_brief_print_list(params.keys())}. Set ignore_extra=True to ignore. ")
            if name in params:
                from ..util import is_np_array
                if is_np_array():    # MXNet reads this path with npx.load under set_np
                    loaded[name] = loaded[name].as_np_ndarray()
                params[name]._load_init(loaded[name], ctx, cast_dtype=cast_dtype,
                                        dtype_source=dtype_source)

    def load_params(self, filename, ctx=None, allow_missing=False, ignore_extra=False):
        """[Deprecated] ``load_parameters``."""
        warnings.warn("load_params is deprecated. Please use load_parameters.")
        self.load_parameters(filename, ctx, allow_missing, ignore_extra)

    def save(self, prefix):
        """Save the structure to ``prefix-model.json`` and the parameters to
        ``prefix-model.params`` (``save_parameters``), for ``load`` on a model built
        again in the same order.

        The JSON nests one dict per block under the key ``<class name lower><index>``
        (index: depth-first order): ``orig_name`` (the block's name), ``children``
        (child name -> attribute name), and for a HybridBlock ``hybridized`` plus, if it
        has a traced graph, its Symbol and input/output formats.
        """
        model = {}

        def visit(blk, index, structure):
            mdl = {"orig_name": blk.name}
            structure[type(blk).__name__.lower() + str(index[0])] = mdl
            if isinstance(blk, HybridBlock):
                if blk._cached_graph:
                    syms, out = blk._cached_graph
                    mdl.update(in_format=blk._in_format, out_format=blk._out_format,
                               inputs=[s.tojson() for s in syms], symbol=out.tojson(),
                               hybridized=True)
                else:
                    mdl["hybridized"] = False
            mdl["children"] = children = {}
            for ch_name, child in blk._children.items():
                index[0] += 1
                children[child.name] = ch_name
                visit(child, index, mdl)

        visit(self, [0], model)
        with open(prefix + "-model.json", "w") as fp:
            json.dump(model, fp)
        self.save_parameters(prefix + "-model.params")

    def load(self, prefix):
        """Load what ``save`` wrote: give each block (matched by class and depth-first
        index) its saved name, re-key its parameters with it, restore traced graphs
        (the block becomes hybridized) and the children's attribute names, then
        ``load_parameters``."""
        from ..symbol import load_json
        with open(prefix + "-model.json") as fp:
            model = json.load(fp)

        def visit(blk, index, structure):
            mdl = structure[type(blk).__name__.lower() + str(index[0])]
            blk._name = mdl["orig_name"]
            if isinstance(blk, HybridBlock) and mdl["hybridized"]:
                blk._in_format, blk._out_format = mdl["in_format"], mdl["out_format"]
                blk._cached_graph = ([load_json(s) for s in mdl["inputs"]],
                                     load_json(mdl["symbol"]))
                blk._active = True
            for p in list(blk.params.keys()):          # re-key as MXNet does (the
                param = blk.params._params.pop(p)       # Parameter keeps its name)
                blk.params._params[blk.name + "_" + p[len(blk.params._prefix):]] = param
            for child in blk._children.values():
                index[0] += 1
                visit(child, index, mdl)
            children = mdl["children"]
            for ch_name in list(blk._children):
                child = blk._children.pop(ch_name)
                blk._children[children[child.name]] = child

        visit(self, [0], model)
        self.load_parameters(prefix + "-model.params")

    # ---- structure -----------------------------------------------------------------------
    def register_child(self, block, name=None):
        """Make ``block`` a child (attribute assignment does this automatically)."""
        if name is None:
            name = str(len(self._children))
        self._children[name] = block

    def register_forward_pre_hook(self, hook):
        """``hook(block, inputs)`` runs before ``forward``; returns a HookHandle."""
        handle = HookHandle()
        handle.attach(self._forward_pre_hooks, hook)
        return handle

    def register_forward_hook(self, hook):
        """``hook(block, inputs, outputs)`` runs after ``forward``; returns a HookHandle."""
        handle = HookHandle()
        handle.attach(self._forward_hooks, hook)
        return handle

    def _children_have_hooks(self):
        """True when a block below this one has a forward hook or pre-hook."""
        return any(c._forward_hooks or c._forward_pre_hooks or c._children_have_hooks()
                   for c in self._children.values())

    def apply(self, fn):
        """Call ``fn(block)`` on every descendant, then on self; returns self."""
        for child in self._children.values():
            child.apply(fn)
        fn(self)
        return self

    def initialize(self, init=initializer.Uniform(), ctx=None, verbose=False,
                   force_reinit=False):
        """``collect_params().initialize(...)``: ``init`` is used for parameters that
        have no initializer of their own."""
        self.collect_params().initialize(init, ctx, verbose, force_reinit)

    def hybridize(self, active=True, **kwargs):
        """Hybridize every HybridBlock below (see ``HybridBlock.hybridize``); a plain
        Block itself always runs imperatively."""
        for child in self._children.values():
            child.hybridize(active, **kwargs)

    def cast(self, dtype):
        """Cast all parameters (recursively) to ``dtype``."""
        for child in self._children.values():
            child.cast(dtype)
        for _, param in self.params.items():
            param.cast(dtype)

    def __call__(self, *args):
        """Run ``forward`` between the pre-hooks and the hooks."""
        for hook in self._forward_pre_hooks.values():
            hook(self, args)
        out = self.forward(*args)
        for hook in self._forward_hooks.values():
            hook(self, args, out)
        return out

    def forward(self, *args):
        """Override with the computation on NDArrays."""
        raise NotImplementedError

    def register_op_hook(self, callback, monitor_all=False):
        """MXNet: a hybridized HybridBlock calls ``callback(node_name, op_name,
        array)`` for every operator output of its CachedOp (inputs too when
        ``monitor_all``).  pymx passes the call down to the children and installs no
        hook yet: the callback is accepted and never called.
        """
        for child in self._children.values():
            child.register_op_hook(callback, monitor_all)

    def summary(self, *inputs):
        """Print each layer's output shape and parameter count for one forward on
        ``inputs`` (the block must be initialized and not hybridized)."""
        summary = OrderedDict()
        seen = set()
        hooks = []

        def shape_str(args):
            flat, fmt = _flatten(args, "summary")
            shapes = _regroup([x.shape if isinstance(x, NDArray) else x for x in flat], fmt)
            return str(shapes)[1:-1] if isinstance(shapes, list) else str(shapes)

        def register(block):
            if isinstance(block, HybridBlock) and block._active:
                raise AssertionError(f'"{block.name}" must not be hybridized to print '
                                     "summary.")

            def hook(block, _, outputs):
                key = f"{block.__class__.__name__}-{len(summary)}"
                entry = summary[key] = OrderedDict(output_shape=shape_str(outputs),
                                                   trainable=0, shared=0)
                n = 0
                for p in block.params.values():
                    size = p.data().size
                    n += size
                    entry["trainable"] += 0 if p.grad_req == "null" else size
                    if p in seen:
                        entry["shared"] += size
                    else:
                        seen.add(p)
                entry["n_params"] = n

            from .nn.basic_layers import Sequential, HybridSequential
            if not isinstance(block, (Sequential, HybridSequential)):
                hooks.append(block.register_forward_hook(hook))

        summary["Input"] = OrderedDict(output_shape=shape_str(inputs), n_params=0,
                                       trainable=0, shared=0)
        try:
            self.apply(register)
            self(*inputs)
            fmt = "{:>20}  {:>42} {:>15}"
            print("-" * 80)
            print(fmt.format("Layer (type)", "Output Shape", "Param #"))
            print("=" * 80)
            total = trainable = shared = 0
            for layer, entry in summary.items():
                print(fmt.format(layer, str(entry["output_shape"]), entry["n_params"]))
                total += entry["n_params"]
                trainable += entry["trainable"]
                shared += entry["shared"]
            print("=" * 80)
            print("Parameters in forward computation graph, duplicate included")
            print("   Total params: " + str(total))
            print("   Trainable params: " + str(trainable))
            print("   Non-trainable params: " + str(total - trainable))
            print("Shared params in forward computation graph: " + str(shared))
            print("Unique parameters in model: " + str(total - shared))
            print("-" * 80)
        finally:
            for h in hooks:
                h.detach()


# ---- HybridBlock ------------------------------------------------------------------------
_SYMBOL = []


def _symbol_module():
    """``mx.sym`` if pymx has it (the Symbol API is a separate floor)."""
    if not _SYMBOL:
        try:
            from .. import symbol
        except ImportError:
            symbol = None
        _SYMBOL.append(symbol)
    return _SYMBOL[0]


def _is_symbol(x):
    sym = _symbol_module()
    return sym is not None and isinstance(x, sym.Symbol)


def _same_but_trailing_none(fmt, stored):
    """True when two input formats differ only by trailing ``None`` arguments (format
    code -1): ``net(x)`` and ``net(x, None)`` may share one cached graph, as in MXNet
    (a default argument left out or passed as None)."""
    short, long_ = sorted((fmt, stored), key=len)
    return len(short) < len(long_) and long_[:len(short)] == short and \
        all(f == -1 for f in long_[len(short):])


class HybridBlock(Block):
    """A Block whose computation is ``hybrid_forward(F, x, *args, **params)``, so it
    runs imperatively (``F = mx.nd``) or as a graph (``F = mx.sym``).

    Inside ``hybrid_forward`` do not read ``x.shape``, index arrays or branch on
    values: a Symbol has none of these.
    """

    def __init__(self, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        self._cached_graph = ()
        self._cached_op = None
        self._cached_op_args = []
        self._out_format = None
        self._in_format = None
        self._active = False
        self._flags = []
        self._callback = None
        self._monitor_all = False

    def __setattr__(self, name, value):
        super().__setattr__(name, value)
        if isinstance(value, HybridBlock):
            self._clear_cached_op()

    def _clear_cached_op(self):
        self._cached_graph = ()
        self._cached_op = None
        self._cached_op_args = []

    def register_child(self, block, name=None):
        if not isinstance(block, HybridBlock):
            raise ValueError(
                f"Children of HybridBlock must also be HybridBlock, but {block} has type "
                f"{type(block)}. If you are using Sequential, please try HybridSequential "
                "instead.")
        super().register_child(block, name)
        self._clear_cached_op()

    def cast(self, dtype):
        self._clear_cached_op()
        super().cast(dtype)

    # ---- hybridize -----------------------------------------------------------------------
    def hybridize(self, active=True, backend=None, clear=True, static_alloc=False,
                  static_shape=False, inline_limit=2, forward_bulk_size=None,
                  backward_bulk_size=None, **kwargs):
        """Run this block (and its hybrid descendants) as a compiled graph.

        The next call traces ``hybrid_forward`` with ``F = mx.sym`` (inputs become the
        variables ``data``, or ``data0``, ``data1``, ... for several) into one Symbol
        and wraps it in a ``CachedOp``; later calls run that graph, which records as a
        single node on the autograd tape.  Python control flow in ``hybrid_forward`` is
        frozen at trace time (the training flag is not: Dropout and BatchNorm read it
        at every call).  ``static_alloc``/``static_shape`` are passed to the CachedOp.
        ``active=False`` goes back to imperative calls.
        """
        if kwargs:
            self._backend_opts = kwargs
        self._backend = backend
        self._active = active
        self._flags = [("static_alloc", static_alloc), ("static_shape", static_shape),
                       ("inline_limit", inline_limit)]
        if forward_bulk_size is not None:
            self._flags.append(("forward_bulk_size", forward_bulk_size))
        if backward_bulk_size is not None:
            self._flags.append(("backward_bulk_size", backward_bulk_size))
        if clear:
            self._clear_cached_op()
        if active and (self._forward_hooks or self._forward_pre_hooks):
            warnings.warn(f'"{self}" is being hybridized while still having forward hook/'
                          f'pre-hook. If "{self}" is a child of HybridBlock, the hooks will '
                          "not take effect.", stacklevel=2)
        super().hybridize(active, static_alloc=static_alloc, static_shape=static_shape,
                          inline_limit=inline_limit, forward_bulk_size=forward_bulk_size,
                          backward_bulk_size=backward_bulk_size)

    def optimize_for(self, x, *args, backend=None, clear=False, static_alloc=False,
                     static_shape=False, inline_limit=2, forward_bulk_size=None,
                     backward_bulk_size=None, **kwargs):
        """Hybridize for ``backend`` (required) and build the cached graph for inputs
        like ``x, *args`` without running it.  Returns None.  MXNet partitions the
        graph for the subgraph backend; pymx has none, so the graph is kept whole."""
        if kwargs:
            self._backend_opts = kwargs
        if not backend:
            raise ValueError('Must specify "backend" to optimize_for')
        self.hybridize(True, backend=backend, clear=clear, static_alloc=static_alloc,
                       static_shape=static_shape, inline_limit=inline_limit,
                       forward_bulk_size=forward_bulk_size,
                       backward_bulk_size=backward_bulk_size)
        flat, _ = _flatten([x] + list(args), "input")
        if not any(isinstance(a, NDArray) or _is_symbol(a) for a in flat):
            raise ValueError("In HybridBlock, there must be one NDArray or one Symbol in the "
                             "input. Please check the type of the args.\n")
        ctxs = {a.context for a in flat if isinstance(a, NDArray)}
        if len(ctxs) > 1:
            raise ValueError("Found multiple contexts in the input, After hybridized, the "
                             f"HybridBlock only supports one input context. Find all "
                             f"contexts = {ctxs}")
        self._build_cache(x, *args)

    def _get_graph(self, *args):
        """Trace ``hybrid_forward`` into ``(input variables, output Symbol)`` (cached)."""
        if not self._cached_graph:
            # BEGIN EXERCISE hybridize_trace
            sym = _symbol_module()
            flat_args, self._in_format = _flatten(args, "input")
            real = sum(a is not None for a in flat_args)
            if real == 0:
                raise ValueError("All args are None and we do not support such a case. "
                                 f"Received args={args}")
            inputs, sym_inputs, cnt = [], [], 0
            for a in flat_args:
                if a is None:
                    inputs.append(None)
                    continue
                v = sym.var(f"data{cnt}" if real > 1 else "data")
                cnt += 1
                inputs.append(v)
                sym_inputs.append(v)
            grouped = _regroup(inputs, self._in_format)
            if not isinstance(grouped, list):
                grouped = [grouped]
            params = {k: v.var() for k, v in self._reg_params.items()}
            with self.name_scope():
                out = self.hybrid_forward(sym, *grouped, **params)
            out, self._out_format = _flatten(out, "output")
            self._cached_graph = sym_inputs, sym.Group(out)
            # END EXERCISE hybridize_trace
        return self._cached_graph

    def _build_cache(self, *args):
        from ..cached_op import CachedOp
        data, out = self._get_graph(*args)
        data_names = {d.name: i for i, d in enumerate(data)}
        params = self.collect_params()
        input_names = out.list_inputs()
        for name in input_names:
            if name not in params and name not in data_names:
                raise AssertionError(f"Unknown input to HybridBlock: {name}")
        used = set(input_names)
        unused = [n for n in data_names if n not in used]
        if unused:
            warnings.warn(f"The {unused} input to HybridBlock is not used by any "
                          "computation. Is this intended?", stacklevel=4)
        unused = [n for n in params.keys() if n not in used]
        if unused:
            warnings.warn(f"Parameter {unused} is not used by any computation. "
                          "Is this intended?", stacklevel=4)
        self._cached_op_args = [(True, data_names[n]) if n in data_names else
                                (False, params[n]) for n in input_names]
        data_idx = [i for i, (is_arg, _) in enumerate(self._cached_op_args) if is_arg]
        param_idx = [i for i, (is_arg, _) in enumerate(self._cached_op_args) if not is_arg]
        flags = [("data_indices", data_idx), ("param_indices", param_idx)] + self._flags
        self._cached_op = CachedOp(out, flags)

    def _call_cached_op(self, *args):
        if self._cached_op is None:
            self._build_cache(*args)
        flat, fmt = _flatten(args, "input")
        if fmt != self._in_format and not _same_but_trailing_none(fmt, self._in_format):
            raise ValueError("The argument structure of HybridBlock does not match the "
                             f"cached version. Stored format = {self._in_format}, input "
                             f"format = {fmt}")
        flat = [a for a in flat if a is not None]
        try:
            cargs = [flat[i] if is_arg else i.data() for is_arg, i in self._cached_op_args]
        except DeferredInitializationError:
            self._deferred_infer_shape(*args)
            cargs = []
            for is_arg, i in self._cached_op_args:
                if is_arg:
                    cargs.append(flat[i])
                else:
                    i._finish_deferred_init()
                    cargs.append(i.data())
        out = self._cached_op(*cargs)
        if isinstance(out, NDArray):
            out = [out]
        return _regroup(list(out), self._out_format)

    # ---- deferred shape inference --------------------------------------------------------
    def _infer_attrs(self, infer_fn, attr, *args):
        """Set ``attr`` ('shape' or 'dtype') of every parameter from the traced graph's
        ``infer_shape``/``infer_type`` given the inputs."""
        inputs, out = self._get_graph(*args)
        flat = [a for a in _flatten(args, "input")[0] if a is not None]
        arg_attrs, _, aux_attrs = getattr(out, infer_fn)(
            **{i.name: getattr(j, attr) for i, j in zip(inputs, flat)})
        if arg_attrs is None:
            raise ValueError(f"{infer_fn} failed for {self.name}: the graph's {attr}s "
                             "cannot be inferred from the inputs")
        sdict = dict(zip(out.list_arguments(), arg_attrs))
        sdict.update(zip(out.list_auxiliary_states(), aux_attrs))
        for p in self.collect_params().values():
            if p.name in sdict:
                setattr(p, attr, sdict[p.name])

    def infer_shape(self, *args):
        """Fill in the unknown dimensions of the parameters from the inputs.

        The generic version traces the block into a Symbol and runs shape inference;
        built-in layers override it with their own shape arithmetic.
        """
        self._infer_attrs("infer_shape", "shape", *args)

    def infer_type(self, *args):
        """Infer the parameters' dtypes from the inputs' (symbolically)."""
        self._infer_attrs("infer_type", "dtype", *args)

    def _deferred_infer_shape(self, *args):
        if self._children_have_hooks():
            # MXNet always infers the shapes by tracing the block with Symbols, which
            # calls the children -- and their forward hooks -- on Symbols.  ``summary``
            # shows that as an extra row, e.g. "Activation-1  <Symbol conv0_relu_fwd>".
            self._get_graph(*args)
        try:
            self.infer_shape(*args)
        except Exception as err:                  # MXNet: a ValueError
            deferred = [p.name for p in self.collect_params().values()
                        if not shape_is_known(p.shape)]
            raise ValueError(
                f"Deferred initialization failed because shape cannot be inferred: {err}. "
                f"Parameters still without a shape: {deferred}; give the layers their "
                "input sizes (in_units, in_channels, ...).") from err

    # ---- forward -------------------------------------------------------------------------
    def forward(self, x, *args):
        """Call ``hybrid_forward`` with ``F = mx.nd`` (NDArray inputs), through the
        cached graph (hybridized), or with ``F = mx.sym`` (Symbol inputs)."""
        flat, _ = _flatten([x] + list(args), "input")
        has_nd = any(isinstance(a, NDArray) for a in flat)
        has_sym = any(_is_symbol(a) for a in flat)
        if has_nd and has_sym:
            raise ValueError("In HybridBlock, we do not support mixed NDArrays and Symbols "
                             "types for the input. Please check the type of the args.\n")
        if not has_nd and not has_sym:
            raise ValueError("In HybridBlock, there must be one NDArray or one Symbol in the "
                             "input. Please check the type of the args.\n")
        if has_nd:
            ctx = next(a for a in flat if isinstance(a, NDArray)).context
            if self._active:
                ctxs = {a.context for a in flat if isinstance(a, NDArray)}
                if len(ctxs) > 1:
                    raise ValueError("Find multiple contexts in the input, After "
                                     "hybridized, the HybridBlock only supports one input "
                                     f"context. Find all contexts = {ctxs}")
                with ctx:
                    return self._call_cached_op(x, *args)
            with ctx:
                try:
                    params = {k: v.data(ctx) for k, v in self._reg_params.items()}
                except DeferredInitializationError:
                    self._deferred_infer_shape(x, *args)
                    for v in self.params.values():
                        v._finish_deferred_init()
                    params = {k: v.data(ctx) for k, v in self._reg_params.items()}
                return self.hybrid_forward(nd, x, *args, **params)
        sym = _symbol_module()
        params = {k: v.var() for k, v in self._reg_params.items()}
        with self.name_scope():
            return self.hybrid_forward(sym, x, *args, **params)

    def hybrid_forward(self, F, x, *args, **kwargs):
        """Override with the computation, written with ``F.<op>`` calls."""
        raise NotImplementedError

    # ---- export --------------------------------------------------------------------------
    def export(self, path, epoch=0, remove_amp_cast=True):
        """Write ``path-symbol.json`` (the traced graph) and ``path-%04d.params``
        (``arg:<name>``/``aux:<name>`` -> value), loadable by ``SymbolBlock.imports``,
        ``mx.mod.Module`` and real MXNet.  Needs ``hybridize()`` and one forward call.
        Returns the two file names."""
        if not self._cached_graph:
            raise RuntimeError("Please first call block.hybridize() and then run forward "
                               "with this block at least once before calling export.")
        sym = self._cached_graph[1]
        sym_file = f"{path}-symbol.json"
        sym.save(sym_file, remove_amp_cast=remove_amp_cast)
        arg_names = set(sym.list_arguments())
        aux_names = set(sym.list_auxiliary_states())
        arg_dict = {}
        for is_arg, param in self._cached_op_args:
            if is_arg:
                continue
            if param.name in arg_names:
                arg_dict[f"arg:{param.name}"] = param._reduce()
            elif param.name in aux_names:
                arg_dict[f"aux:{param.name}"] = param._reduce()
            else:
                warnings.warn(f'Parameter "{param.name}" is not found in the graph. ',
                              stacklevel=3)
        params_file = f"{path}-{epoch:04d}.params"
        nd.save(params_file, arg_dict)
        return sym_file, params_file


def _common_prefix(names):
    """The longest common prefix of ``names``."""
    if not names:
        return ""
    prefix = names[0]
    for name in names:
        i = 0
        while i < len(prefix) and i < len(name) and prefix[i] == name[i]:
            i += 1
        prefix = prefix[:i]
    return prefix


class SymbolBlock(HybridBlock):
    """A HybridBlock made from a Symbol: ``outputs`` computed from the variables
    ``inputs``; every other variable of the graph becomes a Parameter (aux states
    get ``grad_req='null'``).  ``params`` shares existing Parameters by name.

    ``SymbolBlock.imports('net-symbol.json', ['data'], 'net-0000.params')`` loads an
    exported model (from ``export``, ``Module.save_checkpoint`` or real MXNet).
    """

    @staticmethod
    def imports(symbol_file, input_names, param_file=None, ctx=None, allow_missing=False,
                ignore_extra=False):
        """Load ``symbol_file`` (and the weights in ``param_file``) as a SymbolBlock."""
        sym_mod = _symbol_module()
        sym = sym_mod.load(symbol_file)
        if isinstance(input_names, str):
            input_names = [input_names]
        if param_file is None:
            inputs = [sym_mod.var(i, dtype=np.float32) for i in input_names]
        else:
            inputs = [sym_mod.var(i) for i in input_names]
        ret = SymbolBlock(sym, inputs)
        if param_file is not None:
            ret.collect_params().load(param_file, ctx, allow_missing, ignore_extra,
                                      cast_dtype=True, dtype_source="saved")
        return ret

    def __repr__(self):
        syms, out = self._cached_graph
        return f"{self.__class__.__name__}(\n{out} : {len(syms)} -> " \
               f"{len(out.list_outputs())}\n)"

    def __init__(self, outputs, inputs, params=None):
        super().__init__(prefix=None, params=None)
        sym_mod = _symbol_module()
        self._prefix = ""
        self._params = ParameterDict("", params)
        if isinstance(inputs, sym_mod.Symbol) and len(inputs.list_outputs()) == 1:
            inputs = [inputs]
        if isinstance(outputs, (list, tuple)) and len(outputs) == 1:
            outputs = outputs[0]
        syms, self._in_format = _flatten(inputs, "input")
        out, self._out_format = _flatten(outputs, "output")
        input_names = set()
        for i in syms:
            if len(i.get_internals().list_outputs()) != 1:
                raise AssertionError(f"Input symbols must be variable, but {i} is an output "
                                     "of operators")
            input_names.add(i.name)
        out = sym_mod.Group(out) if len(out) > 1 else out[0]
        arg_params = out.list_arguments()
        aux_params = out.list_auxiliary_states()
        arg_types, aux_types = _infer_param_types(syms, out, arg_params, aux_params)
        for name, dtype in zip(arg_params, arg_types):
            if name not in input_names:
                self.params.get(name, allow_deferred_init=True, dtype=dtype)
        for name, dtype in zip(aux_params, aux_types):
            if name not in input_names:
                self.params.get(name, grad_req="null", allow_deferred_init=True, dtype=dtype)
        self._cached_graph = syms, out
        len_prefix = len(_common_prefix(list(self._params.keys())))
        self._reg_params = {key[len_prefix:]: val for key, val in self._params.items()}

    def forward(self, x, *args):
        if isinstance(x, NDArray):
            with x.context:
                return self._call_cached_op(x, *args)
        if not _is_symbol(x):
            raise AssertionError("HybridBlock requires the first argument to forward be "
                                 f"either Symbol or NDArray, but got {type(x)}")
        flat, in_fmt = _flatten([x] + list(args), "input")
        if in_fmt != self._in_format:
            raise AssertionError("Invalid input format")
        ret = copy.copy(self._cached_graph[1])
        ret._compose(**{k.name: v for k, v in zip(self._cached_graph[0], flat)})
        return _regroup(list(ret), self._out_format)

    def _clear_cached_op(self):
        tmp = self._cached_graph
        super()._clear_cached_op()
        self._cached_graph = tmp

    def cast(self, dtype):
        self._clear_cached_op()
        super().cast(dtype)

    def hybrid_forward(self, F, x, *args, **kwargs):
        raise NotImplementedError

    def reset_ctx(self, ctx):
        """Move every parameter of the block to the context(s) ``ctx``, keeping
        the values (``Parameter.reset_ctx``).
        """
        for p in self.collect_params().values():
            p.reset_ctx(ctx)


def _infer_param_types(in_params, out_params, arg_params, aux_params,
                       default_dtype=np.float32):
    """The dtypes of the graph's arguments and aux states, inferred from the inputs'
    ``__dtype__`` attributes (float32 where nothing says otherwise)."""
    input_types = {}
    for p in in_params:
        dt = p.attr("__dtype__")
        if dt is not None:
            from ..base import FLAG_TO_DTYPE
            input_types[p.name] = FLAG_TO_DTYPE[int(dt)]
    arg_types = aux_types = None
    if len(input_types) == len(in_params):
        try:
            arg_types, _, aux_types = out_params.infer_type(**input_types)
        except Exception:                      # noqa: BLE001  (fall back to the default)
            arg_types = None
    if arg_types is None or len(arg_types) != len(arg_params):
        arg_types = [default_dtype] * len(arg_params)
    if aux_types is None or len(aux_types) != len(aux_params):
        aux_types = [default_dtype] * len(aux_params)
    return arg_types, aux_types
