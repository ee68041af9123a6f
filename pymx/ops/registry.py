"""Floor 2: the operator registry.  Every operator is defined here **once**.

An ``Op`` says everything the rest of pymx needs to know about an operator:

* ``inputs``: the names of its array inputs (``('data', 'weight', 'bias')``), or a
  function of the attributes (FullyConnected drops ``bias`` when ``no_bias``), or
  ``'*data'`` for a variable number of inputs (``concat``, ``add_n``);
* ``params``: typed ``Param`` s with MXNet's defaults;
* ``forward(k, a, *xs)``: the computation, written in the kernels of backend ``k``
  (``pymx/backend/contract.py``) on native arrays ``xs`` with parsed attributes ``a``;
  it returns one native array, or a tuple for several outputs;
* ``infer_shape`` / ``infer_type``: used by Symbol's graph passes (and checked against
  ``forward`` by the tests);
* ``gradient(F, a, xs, ys, dys)``: the vector-Jacobian product, written with the ops
  of namespace ``F`` (``mx.nd`` or ``mx.sym``), so the same rule serves autograd,
  higher-order gradients and the symbolic backward graph.  It returns one gradient per
  input (``None`` where there is none).  Rules never read ``.shape``: under ``mx.sym``
  shapes are unknown, so they use ``*_like`` ops instead;
* ``aux``: inputs that are auxiliary states (BatchNorm's running mean and variance),
  which ``forward`` may update in place;
* ``inplace``: ``(input, output)`` pairs where the output may reuse the input's memory
  (or a function of the attributes returning them; ``Op.inplace_pairs(a)``);
* ``takes_out``: True when ``forward`` accepts ``out=`` (keyword-only) to write its
  result into: a native array of the result's shape and dtype -- a planned memory
  block, or the input itself for an in-place call such as ``sgd_update(w, g, out=w)``
  -- or, for an op with several outputs, a tuple with one such array (or None) per
  output.  Such a forward passes ``out`` to its last kernel (``k.binary(..., out=out)``);
  callers that do not pass it get new arrays, as from any other op.

The front ends ``mx.nd`` and ``mx.sym`` are generated from this registry.
"""
import inspect

import numpy as np

from ..base import MXNetError
from .params import Attrs, Param, REQUIRED

__all__ = ["Op", "Param", "Attrs", "register", "get_op", "list_ops", "REQUIRED",
           "uniform_type", "DtypeConflict"]

_OPS = {}


def _same_shape(a, in_shapes):
    """Default shape rule: every input and output has one shape (elementwise ops)."""
    known = next((s for s in in_shapes if s is not None), None)
    return [known] * len(in_shapes), [known]


def _same_type(a, in_types):
    """Default type rule: outputs take the dtype of the first known input."""
    known = next((t for t in in_types if t is not None), None)
    return [t if t is not None else known for t in in_types], [known]


class DtypeConflict(MXNetError):
    """Two known dtypes disagree: an error even while other dtypes are still unknown
    (the type-inference pass retries other failures once more is known)."""


def uniform_type(a, in_types):
    """MXNet's ``ElemwiseType`` rule: every input and the output share one dtype.

    Unknown dtypes (None) take the known one, forwards or backwards (``fc1_weight``
    becomes float64 when ``data`` is, and ``data`` float64 when the weight is); two
    different known dtypes raise MXNetError, as MXNet 1.x never promotes between the
    inputs of one operator (``FullyConnected`` on float64 data with a float32 weight,
    ``a + b`` of float32 and float64 arrays).  The graph pass prefixes the node's name.
    """
    known = [np.dtype(t) for t in in_types if t is not None]
    if any(t != known[0] for t in known[1:]):
        got = ", ".join(f"input {i}: {np.dtype(t).name}"
                        for i, t in enumerate(in_types) if t is not None)
        raise DtypeConflict(f"inputs must have one dtype (no type promotion), got {got}")
    t = known[0] if known else None
    return [t] * len(in_types), [t]


class Op:
    """The definition of one operator (see the module docstring for each field)."""

    def __init__(self, name, forward, inputs=("data",), params=None, outputs=("output",),
                 num_visible_outputs=None, infer_shape=None, shape=None, infer_type=None,
                 gradient=None, aux=(), inplace=(), aliases=(), doc="", key_var_num_args=None):
        self.name = name
        self.forward = forward
        self.takes_out = takes_out(forward)
        self._inputs = inputs
        self.inputs_by_attrs = callable(inputs)      # their number depends on attributes
        self.params = dict(params or {})
        if inputs == "*data" and key_var_num_args is None:
            key_var_num_args = "num_args"
        if key_var_num_args and key_var_num_args not in self.params:
            self.params[key_var_num_args] = Param("int", 1)
        self.key_var_num_args = key_var_num_args
        self._outputs = outputs
        self._num_visible = num_visible_outputs
        self._shape = shape
        self._infer_shape = infer_shape
        self._infer_type = infer_type or _same_type
        self.gradient = gradient
        self.aux = tuple(aux)
        self.inplace = inplace if callable(inplace) else tuple(inplace)
        self.aliases = tuple(aliases)
        self.__doc__ = doc
        self.defaults = Attrs({k: p.default for k, p in self.params.items()
                               if p.default is not REQUIRED})
        self._required = [k for k, p in self.params.items() if p.default is REQUIRED]

    def __repr__(self):
        return f"<Op {self.name}>"

    # ---- attributes --------------------------------------------------------------------
    def parse_attrs(self, kwargs):
        """Parse keyword arguments (Python values or MXNet strings) into ``Attrs``."""
        if not kwargs and not self._required:
            return self.defaults
        a = Attrs(self.defaults)
        params = self.params
        for key, value in kwargs.items():
            p = params.get(key)
            if p is None and not params:
                continue        # an op without parameters ignores attributes (as MXNet)
            if p is None:
                raise MXNetError(f"{self.name}: unknown argument {key!r}; "
                                 f"it takes {sorted(params) or 'no arguments'}")
            a[key] = p.parse(value, self.name, key)
        for key in self._required:
            if key not in a:
                raise MXNetError(f"{self.name}: required argument {key!r} is missing")
        return a

    def attrs_to_strings(self, a):
        """MXNet's string form of every attribute that differs from nothing (for JSON)."""
        return {k: self.params[k].to_string(v) for k, v in a.items() if k in self.params}

    # ---- inputs and outputs -----------------------------------------------------------
    def input_names(self, a):
        """The names of the array inputs for attributes ``a``."""
        if self._inputs == "*data":
            return [f"arg{i}" for i in range(a[self.key_var_num_args])]
        if callable(self._inputs):
            return list(self._inputs(a))
        return list(self._inputs)

    def output_names(self, a):
        """The names of all outputs (hidden ones included)."""
        return list(self._outputs(a) if callable(self._outputs) else self._outputs)

    def num_outputs(self, a):
        """How many outputs the op has with attributes ``a`` (hidden ones included)."""
        return len(self.output_names(a))

    def inplace_pairs(self, a):
        """``(input, output)`` pairs that may share memory for attributes ``a``
        (``inplace`` may depend on them: ``multi_sgd_update`` pairs weight i with
        output i)."""
        return self.inplace(a) if callable(self.inplace) else self.inplace

    def num_visible_outputs(self, a):
        """Outputs a user sees (BatchNorm computes 3 but shows 1 unless output_mean_var)."""
        n = self._num_visible
        if n is None:
            return self.num_outputs(a)
        return n(a) if callable(n) else n

    # ---- inference ----------------------------------------------------------------------
    def infer_shape(self, a, in_shapes):
        """Given input shapes (None where unknown), return ``(in_shapes, out_shapes)``
        with whatever could be inferred filled in (None where still unknown)."""
        if self._infer_shape is not None:
            return self._infer_shape(a, list(in_shapes))
        if self._shape is not None:
            if any(s is None for s in in_shapes):
                return list(in_shapes), [None] * self.num_outputs(a)
            out = self._shape(a, *in_shapes)
            return list(in_shapes), (list(out) if isinstance(out, list) else [out])
        ins, outs = _same_shape(a, list(in_shapes))
        return ins, outs * self.num_outputs(a)

    def infer_type(self, a, in_types):
        """Given input dtypes (None where unknown), return ``(in_types, out_types)``."""
        in_types, out_types = self._infer_type(a, list(in_types))
        n = self.num_outputs(a)
        if len(out_types) < n:
            out_types = list(out_types) + [out_types[0]] * (n - len(out_types))
        return in_types, out_types


def takes_out(fn):
    """Does ``forward`` accept ``out=``, a keyword-only argument?  (Wrappers such as
    ``@fused`` say so in an attribute; other functions by their signature.)"""
    flag = getattr(fn, "takes_out", None)
    if flag is not None:
        return flag
    try:
        p = inspect.signature(fn).parameters.get("out")
    except (TypeError, ValueError):
        return False
    return p is not None and p.kind is inspect.Parameter.KEYWORD_ONLY


def register(name, forward, op_class=None, **kwargs):
    """Define operator ``name`` (see ``Op``); returns the ``Op``.  Aliases share it.
    ``op_class``: a subclass of ``Op`` for an op whose attributes are not a fixed list
    of parameters (``Custom``)."""
    op = (op_class or Op)(name, forward, **kwargs)
    for key in (name,) + op.aliases:
        if key in _OPS:
            raise MXNetError(f"operator {key!r} is defined twice")
        _OPS[key] = op
    return op


def get_op(name):
    """The ``Op`` registered as ``name`` (or an alias of it)."""
    try:
        return _OPS[name]
    except KeyError:
        raise MXNetError(f"operator {name!r} is not registered") from None


def list_ops():
    """All registered operator names and aliases, sorted."""
    return sorted(_OPS)


def all_ops():
    """Each ``Op`` once (aliases folded)."""
    seen = {}
    for op in _OPS.values():
        seen[op.name] = op
    return [seen[k] for k in sorted(seen)]
