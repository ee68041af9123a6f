"""Gluon's ``Parameter``: a named weight, its copies on each context and their gradients.

A ``Parameter`` is created with a name and (maybe partial) shape, and holds no data until
``initialize``.  Then it keeps one NDArray per context (``list_data()``) and, unless
``grad_req='null'``, one gradient buffer per context (``list_grad()``).  Each data array
is marked as an autograd variable (``autograd.mark_variables``), so using
``param.data()`` inside ``autograd.record()`` sends the gradient into ``param.grad()``.

**Deferred initialization.**  A shape may hold 0 for "not known yet" (MXNet 1.x legacy
shape semantics): ``Dense(10)`` has weight shape ``(10, 0)`` until it sees its input.
``initialize`` on such a parameter only remembers ``(init, ctx, default_init)``; the
first forward pass fills in the shape (``Block._deferred_infer_shape``) and calls
``_finish_deferred_init``.  Asking for ``data()`` before that raises
``DeferredInitializationError`` naming the parameter (pass ``in_units``/``in_channels``
to the layer to avoid deferral).

``ParameterDict`` is an ordered ``name -> Parameter`` dict with a prefix: ``get('weight')``
creates (or returns, possibly from the ``shared`` dict) ``prefix + 'weight'``.  Its
``save``/``load`` use **full names** (``dense0_weight``), unlike
``Block.save_parameters`` which uses structural names (``0.weight``).
"""
from collections import OrderedDict
import warnings

import numpy as np

from ..base import MXNetError, np_dtype
from .. import ndarray as nd
from .. import initializer
from .. import autograd
from ..context import Context, cpu, current_context
from ..ndarray import NDArray
from ..symbol import Symbol

__all__ = ["DeferredInitializationError", "Parameter", "Constant", "ParameterDict",
           "tensor_types"]

tensor_types = (Symbol, NDArray)    # what a HybridBlock takes: MXNet's gluon.tensor_types


class DeferredInitializationError(MXNetError):
    """A parameter was used before its deferred initialization finished (its shape is
    still unknown because no data has gone through its layer yet)."""


def shape_is_known(shape):
    """True when ``shape`` is given and has no unknown (0 or -1) dimension."""
    if shape is None:
        return False
    return all(d > 0 for d in shape)


def _brief_print_list(lst, limit=7):
    """``'a', 'b', ..., 'z'``: a list shortened for error messages."""
    lst = list(lst)
    if len(lst) > limit:
        return _brief_print_list(lst[:limit // 2], limit) + ", ..., " + \
            _brief_print_list(lst[-limit // 2:], limit)
    return ", ".join(f"'{str(i)}'" for i in lst)


def _as_ctx_list(ctx):
    if ctx is None:
        return [current_context()]
    if isinstance(ctx, Context):
        return [ctx]
    return list(ctx)


class Parameter:
    """A weight of a Block: data (and gradient) arrays on one or several contexts.

    Parameters
    ----------
    name : str
        The full name (``dense0_weight``).
    grad_req : {'write', 'add', 'null'}
        How backward stores gradients: overwrite, accumulate (call ``zero_grad``
        yourself), or none (no gradient buffers are allocated).
    shape : int or tuple of int or None
        The shape; 0 marks a dimension that is inferred at the first forward.
    dtype : numpy dtype or str, default float32
    lr_mult, wd_mult : float
        Multipliers of the optimizer's learning rate and weight decay for this weight.
    init : Initializer or str or None
        This parameter's own initializer; it wins over the one given to ``initialize``.
    allow_deferred_init : bool
        Whether ``initialize`` may be called while the shape is still unknown.
    differentiable : bool
        False forces ``grad_req='null'`` (e.g. BatchNorm's running statistics).
    stype, grad_stype : 'default'
        Storage types; pymx only has dense storage.
    """

    def __init__(self, name, grad_req="write", shape=None, dtype=np.float32, lr_mult=1.0,
                 wd_mult=1.0, init=None, allow_deferred_init=False, differentiable=True,
                 stype="default", grad_stype="default"):
        self._var = None
        self._data = None
        self._grad = None
        self._ctx_list = None
        self._ctx_map = None
        self._trainer = None
        self._deferred_init = ()
        self._differentiable = differentiable
        self._allow_deferred_init = allow_deferred_init
        self._grad_req = None
        if isinstance(shape, int):
            shape = (shape,)
        self._shape = tuple(shape) if shape is not None else None
        self.name = name
        self._dtype = np_dtype(dtype).type
        self._dtype_as_given = dtype        # MXNet's repr shows it: 'float32' or a type
        self.lr_mult = lr_mult
        self.wd_mult = wd_mult
        self.grad_req = grad_req
        self.init = init
        for kind, st in (("stype", stype), ("grad_stype", grad_stype)):
            if st not in ("default", "row_sparse", "csr"):
                raise ValueError(f"{kind} for Parameter '{name}' must be one of 'default', "
                                 f"'row_sparse', or 'csr', but got '{st}'")
        self._stype = stype
        self._grad_stype = grad_stype

    def __repr__(self):
        return f"Parameter {self.name} (shape={self.shape}, dtype={self._dtype_as_given})"

    # ---- attributes --------------------------------------------------------------------
    @property
    def grad_req(self):
        """'write', 'add' or 'null'.  Setting 'null' drops the gradient buffers;
        setting it back allocates fresh (zero) ones."""
        return self._grad_req

    @grad_req.setter
    def grad_req(self, req):
        if req not in ("write", "add", "null"):      # MXNet asserts
            raise AssertionError(f"grad_req must be one of 'write', 'add', or 'null', "
                                 f"but got '{req}'")
        if not self._differentiable:
            req = "null"
        if self._grad_req == req:
            return
        self._grad_req = req
        if req == "null" and self._grad is not None:
            self._grad = None
            self._data = [d.detach() for d in self._data]
        elif self._data is not None:
            self._init_grad()

    @property
    def dtype(self):
        """The element type as it was given (MXNet shows ``'float32'`` for a Dense
        weight, ``<class 'numpy.float32'>`` for a Conv weight); setting it casts the
        data (``cast``)."""
        return self._dtype_as_given

    @dtype.setter
    def dtype(self, dtype):
        self.cast(dtype)

    @property
    def shape(self):
        """The shape, with 0 where a dimension is not known yet (None if unset).
        Under NumPy shape semantics (``npx.set_np()``) MXNet marks an unknown
        dimension with -1 instead: ``Dense(2).weight.shape`` is ``(2, -1)``."""
        from ..util import is_np_shape
        if self._shape is not None and is_np_shape():
            return tuple(-1 if d == 0 else d for d in self._shape)
        return self._shape

    @shape.setter
    def shape(self, new_shape):
        new_shape = tuple(new_shape) if new_shape is not None else None
        if self._shape is None:
            self._shape = new_shape
            return
        if len(self._shape) != len(new_shape) or \
                not all(old in (-1, 0, new) for new, old in zip(new_shape, self._shape)):
            raise AssertionError(f"Expected shape {new_shape} is incompatible with given "
                                 f"shape {self._shape} (Parameter '{self.name}').")
        self._shape = new_shape

    def _set_trainer(self, trainer):
        self._trainer = trainer

    def _drop_stale_store(self):
        """New data while a Trainer updates on its kvstore: the store's copy is stale,
        so the Trainer re-creates its store at the next step (as MXNet does)."""
        t = self._trainer
        if t is not None and getattr(t, "_kv_initialized", False) and \
                getattr(t, "_update_on_kvstore", False) and self not in t._params_to_init:
            t._reset_kvstore()

    # ---- access ------------------------------------------------------------------------
    def _check_and_get(self, arr_list, ctx):
        """The array of ``arr_list`` for ``ctx`` (``list``: all of them), or the error
        that says why there is none."""
        if arr_list is not None:
            if ctx is list:
                return arr_list
            if ctx is None:
                if len(arr_list) == 1:
                    return arr_list[0]
                ctx = current_context()
            idx = self._ctx_map.get((ctx.device_type, ctx.device_id))
            if idx is not None:
                return arr_list[idx]
            raise RuntimeError(f"Parameter '{self.name}' was not initialized on context "
                               f"{ctx}. It was only initialized on {self._ctx_list}.")
        if self._deferred_init:
            raise DeferredInitializationError(
                f"Parameter '{self.name}' has not been initialized yet because "
                "initialization was deferred: its shape "
                f"{self.shape} is only known after the first forward pass. Pass one batch "
                "of data through the network before accessing Parameters, or avoid "
                "deferred initialization by giving the layer its input size (in_units, "
                "in_channels, ...).")
        raise RuntimeError(
            f"Parameter '{self.name}' has not been initialized. Note that you should "
            "initialize parameters and create Trainer with Block.collect_params() instead "
            "of Block.params because the later does not include Parameters of nested child "
            "Blocks")

    def data(self, ctx=None):
        """The value on ``ctx`` (the only copy if there is one; else the current
        context's).  A ``row_sparse`` parameter is read with ``row_sparse_data``."""
        if self._stype != "default":
            raise RuntimeError(f"Cannot return a copy of Parameter '{self.name}' on ctx "
                               f"{ctx} via data() because its storage type is "
                               f"{self._stype}. Please use row_sparse_data() instead.")
        return self._check_and_get(self._data, ctx)

    def list_data(self):
        """The values on all contexts, in ``list_ctx()`` order."""
        return self._check_and_get(self._data, list)

    def grad(self, ctx=None):
        """The gradient buffer on ``ctx``."""
        if self._data is not None and self._grad is None:
            raise RuntimeError(f"Cannot get gradient array for Parameter '{self.name}' "
                               "because grad_req='null'")
        return self._check_and_get(self._grad, ctx)

    def list_grad(self):
        """The gradient buffers on all contexts."""
        if self._data is not None and self._grad is None:
            raise RuntimeError(f"Cannot get gradient array for Parameter '{self.name}' "
                               "because grad_req='null'")
        return self._check_and_get(self._grad, list)

    def list_ctx(self):
        """The contexts this parameter lives on (or will, once deferred init finishes)."""
        if self._data is None:
            if self._deferred_init:
                return self._deferred_init[1]
            raise RuntimeError(f"Parameter '{self.name}' has not been initialized")
        return self._ctx_list

    def zero_grad(self):
        """Set every gradient buffer to 0 (needed between steps with grad_req='add')."""
        if self._grad is None:
            return
        for g in self._grad:
            if g.stype == "default":
                g[:] = 0
            else:                  # as MXNet: no stored rows (csr cannot take [:] = 0)
                nd.zeros_like(g, out=g)

    def var(self):
        """The Symbol variable of this parameter (name, shape, dtype, lr/wd mult, init)."""
        if self._var is None:
            from .. import symbol
            self._var = symbol.var(self.name, shape=self.shape, dtype=self.dtype,
                                   lr_mult=self.lr_mult, wd_mult=self.wd_mult,
                                   init=self.init, stype=self._stype)
        return self._var

    # ---- initialization ----------------------------------------------------------------
    def initialize(self, init=None, ctx=None, default_init=initializer.Uniform(),
                   force_reinit=False):
        """Allocate and fill the data (and gradient) arrays on ``ctx``.

        The initializer used is ``init`` if given, else the parameter's own ``init``,
        else ``default_init``.  A second call only warns (unless ``force_reinit``).  With
        an unknown shape and ``allow_deferred_init`` the work waits for the first forward.
        """
        if self._data is not None and not force_reinit:
            warnings.warn(f"Parameter '{self.name}' is already initialized, ignoring. "
                          "Set force_reinit=True to re-initialize.", stacklevel=2)
            return
        self._data = self._grad = None
        ctx = _as_ctx_list(ctx)
        if init is None:
            init = default_init if self.init is None else self.init
        if not shape_is_known(self.shape):
            if self._allow_deferred_init:
                self._deferred_init = (init, ctx, default_init, None)
                return
            raise ValueError(f"Cannot initialize Parameter '{self.name}' because it has "
                             f"invalid shape: {self.shape}.")
        self._deferred_init = (init, ctx, default_init, None)
        self._finish_deferred_init()

    def _finish_deferred_init(self):
        """Run the postponed initialization now that the shape is known."""
        if not self._deferred_init:
            return
        init, ctx, default_init, data = self._deferred_init
        self._deferred_init = ()
        if not shape_is_known(self.shape):          # MXNet asserts
            raise AssertionError(
                f"Cannot initialize Parameter '{self.name}' because it has invalid shape: "
                f"{self.shape}. Please specify in_units, in_channels, etc for `Block`s.")
        with autograd.pause():
            if data is None:
                data = nd.zeros(self.shape, ctx=cpu(), dtype=self.dtype)
                # Gluon path: the chosen initializer's _init_weight fills every parameter
                initializer.create(default_init)(
                    initializer.InitDesc(self.name, {"__init__": init}), data)
            self._init_impl(data, ctx)

    def _init_impl(self, data, ctx_list):
        """Copy ``data`` to every context and allocate the gradients."""
        self._ctx_list = list(ctx_list)
        self._ctx_map = {(c.device_type, c.device_id): i for i, c in enumerate(self._ctx_list)}
        self._data = [data.copyto(c) for c in self._ctx_list]
        self._init_grad()

    def _init_grad(self):
        """Zero gradient buffers, and mark the data arrays as autograd variables."""
        if self.grad_req == "null":
            self._grad = None
            return
        self._grad = [nd.sparse.zeros(self._grad_stype, d.shape, ctx=d.context,
                                      dtype=d.dtype) for d in self._data]
        autograd.mark_variables(self._data, self._grad, self.grad_req)

    def _reduce(self):
        """The value on cpu: the mean over contexts (they should agree anyway)."""
        block = self.list_data()
        if len(block) == 1:
            return block[0].copyto(cpu())
        return nd.add_n(*(w.copyto(cpu()) for w in block)) / len(block)

    def _load_init(self, data, ctx, cast_dtype=False, dtype_source="current"):
        """(Re)initialize from ``data`` (a loaded NDArray): shape dims that are unknown
        are taken from it; known ones and the dtype must match (unless ``cast_dtype``)."""
        if cast_dtype and dtype_source not in ("current", "saved"):
            raise ValueError("dtype_source must be 'current' or 'saved'")
        if self.shape:
            if len(self.shape) != len(data.shape) or not all(
                    s in (0, -1, d) for s, d in zip(self.shape, data.shape)):
                raise AssertionError(
                    f"Failed loading Parameter '{self.name}' from saved params: shape "
                    f"incompatible expected {self.shape} vs saved {data.shape}")
            self._shape = tuple(d if s in (0, -1) else s for s, d in zip(self.shape, data.shape))
        if self.dtype:
            if cast_dtype and np.dtype(self.dtype) != np.dtype(data.dtype):
                if dtype_source == "current":
                    data = data.astype(self.dtype, copy=False)
                else:
                    self.dtype = data.dtype
            elif np.dtype(self.dtype) != np.dtype(data.dtype):
                raise AssertionError(
                    f"Failed loading Parameter '{self.name}' from saved params: dtype "
                    f"incompatible expected {np.dtype(self.dtype)} vs saved "
                    f"{np.dtype(data.dtype)}. Set cast_dtype=True to cast the dtype of "
                    "saved params.")
        if isinstance(ctx, Context):
            ctx = [ctx]
        if self._data is None:
            if self._deferred_init:
                if ctx is not None and set(ctx) != set(self._deferred_init[1]):
                    raise AssertionError(f"Failed to load Parameter '{self.name}' on {ctx} "
                                         "because it was previous initialized on "
                                         f"{self.list_ctx()}.")
                ctx = self._deferred_init[1]
            elif ctx is None:
                ctx = [cpu()]
            self._init_impl(data, ctx)
        else:
            if ctx is not None and set(ctx) != set(self.list_ctx()):
                raise AssertionError(f"Failed to load Parameter '{self.name}' on {ctx} "
                                     f"because it was previous initialized on "
                                     f"{self.list_ctx()}.")
            self.set_data(data)
        self._deferred_init = ()

    # ---- changing the data -------------------------------------------------------------
    def reset_ctx(self, ctx):
        """Move the parameter to other context(s) (the value is kept)."""
        ctx = _as_ctx_list(ctx)
        if self._data:
            self._drop_stale_store()
            data = self._reduce()
            with autograd.pause():
                self._init_impl(data, ctx)
        elif self._deferred_init:
            init, _, default_init, data = self._deferred_init
            self._deferred_init = (init, ctx, default_init, data)
        else:
            raise ValueError(f"Cannot reset context for Parameter '{self.name}' because it "
                             "has not been initialized.")

    def set_data(self, data):
        """Write ``data`` into every copy (before deferred init finishes: use it as the
        initial value)."""
        self.shape = data.shape
        if self._data is None:
            if not self._deferred_init:
                raise AssertionError(f"Parameter '{self.name}' has not been initialized")
            self._deferred_init = self._deferred_init[:3] + (data,)
            return
        self._drop_stale_store()
        for arr in self._check_and_get(self._data, list):
            arr[:] = data

    def cast(self, dtype):
        """Change the dtype of the data and gradient (and of future initializations)."""
        self._dtype = np_dtype(dtype).type
        self._dtype_as_given = dtype
        self._var = None
        if self._data is None:
            return
        with autograd.pause():
            self._data = [d.astype(dtype) for d in self._data]
            if self._grad is None:
                return
            self._grad = [g.astype(dtype) for g in self._grad]
            autograd.mark_variables(self._data, self._grad, self.grad_req)

    def _check_row_sparse(self, what):
        if self._stype != "row_sparse":
            raise RuntimeError(f"Cannot return {what} of Parameter '{self.name}' because its "
                               f"storage type is {self._stype}. Please use data() instead.")

    def row_sparse_data(self, row_id):
        """MXNet: the rows ``row_id`` of a row_sparse parameter (a RuntimeError for a
        dense one).  pymx keeps the data densely, so this is the whole ``data()``."""
        self._check_row_sparse("a copy of row_sparse data")
        return self._check_and_get(self._data, row_id.context)

    def list_row_sparse_data(self, row_id):
        """``row_sparse_data`` on every context (all rows, see there)."""
        self._check_row_sparse("copies of row_sparse data")
        return self.list_data()


class Constant(Parameter):
    """A parameter that never changes (``grad_req='null'``), initialized to ``value``.

    Parameters
    ----------
    name : str
    value : array-like or NDArray
    """

    def __init__(self, name, value):
        if not isinstance(value, NDArray):
            value = nd.array(value)
        self.value = value

        class _Init(initializer.Initializer):
            def _init_weight(self, _, arr):
                value.copyto(arr)

        super().__init__(name, grad_req="null", shape=value.shape, dtype=value.dtype,
                         init=_Init(), differentiable=False)

    def __repr__(self):
        return f"Constant {self.name} (shape={self.shape}, dtype={self.dtype})"

    @property
    def grad_req(self):
        return "null"

    @grad_req.setter
    def grad_req(self, req):
        if req != "null":
            warnings.warn(f'Constant parameter "{self.name}" does not support grad_req '
                          f'other than "null", and new value "{req}" is ignored.',
                          stacklevel=2)
        self._grad_req = "null"


class ParameterDict:
    """An ordered dict of Parameters sharing a name ``prefix``.

    ``shared`` is another ParameterDict whose parameters ``get`` returns instead of
    creating new ones (that is how ``Block(params=other.collect_params())`` shares).
    """

    def __init__(self, prefix="", shared=None):
        self._prefix = prefix
        self._params = OrderedDict()
        self._shared = shared

    def __repr__(self):
        body = "\n".join("  " + repr(v) for v in self.values())
        head = f"{self._prefix} " if self._prefix else ""     # MXNet: no space if no prefix
        return f"{head}(\n{body}\n)"

    def __getitem__(self, key):
        return self._params[key]

    def __iter__(self):
        return iter(self._params)

    def __len__(self):
        return len(self._params)

    def __contains__(self, key):
        return key in self._params

    def items(self):
        """``(full name, Parameter)`` pairs, in the order they were created."""
        return self._params.items()

    def keys(self):
        """The full parameter names (prefix included), in creation order."""
        return self._params.keys()

    def values(self):
        """The Parameters, in creation order."""
        return self._params.values()

    @property
    def prefix(self):
        """The prefix added to every name ``get`` creates."""
        return self._prefix

    def _get_impl(self, name):
        if name in self._params:
            return self._params[name]
        if self._shared is not None and name in self._shared._params:
            self._params[name] = self._shared._params[name]
            return self._shared._params[name]
        return None

    def get(self, name, **kwargs):
        """The Parameter ``prefix + name``: created with ``kwargs`` if new; if it exists,
        each given attribute must agree with the stored one (a 0 dimension of a shape
        agrees with anything and is filled in)."""
        name = self.prefix + name
        param = self._get_impl(name)
        if param is None:
            param = Parameter(name, **kwargs)
            self._params[name] = param
            return param
        for k, v in kwargs.items():
            existing = getattr(param, k, None)
            if existing is None:
                setattr(param, k, v)
                continue
            if k == "shape":
                v = (v,) if isinstance(v, int) else tuple(v)
                if len(v) == len(existing) and all(a == b or a * b == 0
                                                   for a, b in zip(v, existing)):
                    param._shape = tuple(a if a else b for a, b in zip(v, existing))
                    continue
            elif k == "dtype" and np.dtype(v) == np.dtype(existing):
                continue
            if not (v is None or v == existing):
                raise AssertionError(
                    f"Cannot retrieve Parameter '{name}' because desired attribute does not "
                    f"match with stored for attribute '{k}': desired '{v}' vs stored "
                    f"'{existing}'.")
        return param

    def get_constant(self, name, value=None):
        """The Constant ``prefix + name`` (created from ``value`` if new)."""
        name = self.prefix + name
        param = self._get_impl(name)
        if param is None:
            if value is None:
                raise KeyError(f"No constant named '{name}'. Please specify value if you "
                               "want to create a new constant.")
            param = Constant(name, value)
            self._params[name] = param
        elif value is not None:
            if not isinstance(param, Constant):
                raise AssertionError(f"Parameter '{name}' already exists but it is not a "
                                     "constant.")
            value = value.asnumpy() if isinstance(value, NDArray) else np.asarray(value)
            if param.shape != value.shape or \
                    not (param.value.asnumpy() == value).all():
                raise AssertionError(f"Constant '{name}' already exists but it's value "
                                     "doesn't match new value")
        return param

    def update(self, other):
        """Add the parameters of ``other``; a name bound to a different Parameter is an
        error."""
        for k, v in other.items():
            if k in self._params:
                if self._params[k] is not v:
                    raise AssertionError(
                        "Cannot update self with other because they have different "
                        f"Parameters with the same name '{k}'")
            else:
                self._params[k] = v

    def initialize(self, init=initializer.Uniform(), ctx=None, verbose=False,
                   force_reinit=False):
        """Initialize every parameter; ``init`` is the default for those without their
        own ``init``."""
        if verbose:
            init.set_verbosity(verbose=verbose)
        for v in self.values():
            v.initialize(None, ctx, init, force_reinit=force_reinit)

    def zero_grad(self):
        """Set the gradient of every parameter to 0 (needed between steps when
        ``grad_req='add'``; with 'write' backward overwrites them).
        """
        for v in self.values():
            v.zero_grad()

    def reset_ctx(self, ctx):
        """Move every parameter to the context(s) ``ctx``, keeping the values."""
        for v in self.values():
            v.reset_ctx(ctx)

    def list_ctx(self):
        """The contexts the parameters live on, each once, in first-seen order."""
        s = []
        for v in self.values():
            s.extend(c for c in v.list_ctx() if c not in s)
        return s

    def setattr(self, name, value):
        """Set attribute ``name`` of every parameter (``setattr('grad_req', 'null')``)."""
        for v in self.values():
            setattr(v, name, value)

    def save(self, filename, strip_prefix=""):
        """Save with ``nd.save`` under the full names minus ``strip_prefix``."""
        arg_dict = {}
        for param in self.values():
            if not param.name.startswith(strip_prefix):
                raise ValueError(
                    f"Prefix '{strip_prefix}' is to be striped before saving, but "
                    f"Parameter's name '{param.name}' does not start with '{strip_prefix}'. "
                    "this may be due to your Block shares parameters from other Blocks or "
                    "you forgot to use 'with name_scope()' when creating child blocks.")
            arg_dict[param.name[len(strip_prefix):]] = param._reduce()
        nd.save(filename, arg_dict)

    def load(self, filename, ctx=None, allow_missing=False, ignore_extra=False,
             restore_prefix="", cast_dtype=False, dtype_source="current"):
        """Load a file of ``save`` (or of ``export``: ``arg:``/``aux:`` are stripped);
        ``restore_prefix`` is put in front of every loaded name."""
        if restore_prefix:
            for name in self.keys():
                if not name.startswith(restore_prefix):
                    raise AssertionError(
                        f"restore_prefix is '{restore_prefix}' but Parameters name '{name}' "
                        "does not start with it")
        loaded = nd.load(filename)
        if not isinstance(loaded, dict):
            raise ValueError(f"{filename} holds a list of arrays, not a name -> array dict")
        self.load_dict(loaded, ctx, allow_missing, ignore_extra, restore_prefix, filename,
                       cast_dtype, dtype_source)

    def load_dict(self, param_dict, ctx=None, allow_missing=False, ignore_extra=False,
                  restore_prefix="", filename=None, cast_dtype=False,
                  dtype_source="current"):
        """Load from a ``name -> NDArray`` dict (see ``load``)."""
        lprefix = len(restore_prefix)
        arg_dict = {}
        for k, v in param_dict.items():
            k = k[4:] if k.startswith(("arg:", "aux:")) else k
            arg_dict[restore_prefix + k] = v
        where = f"file '{filename}'" if filename else "the dict"
        if not allow_missing:
            for name in self.keys():
                if name not in arg_dict:
                    raise AssertionError(
                        f"Parameter '{name[lprefix:]}' is missing in {where}, which contains "
                        f"parameters: {_brief_print_list(arg_dict.keys())}. Please make "
                        "sure source and target networks have the same prefix.")
        for name in arg_dict:
            if name not in self._params:
                if not ignore_extra:
                    raise AssertionError(
                        f"Parameter '{name[lprefix:]}' loaded from {where} is not present "
                        f"in ParameterDict, choices are: {_brief_print_list(self.keys())}. "
                        "Set ignore_extra to True to ignore. Please make sure source and "
                        "target networks have the same prefix.")
                continue
            self[name]._load_init(arg_dict[name], ctx, cast_dtype=cast_dtype,
                                  dtype_source=dtype_source)
