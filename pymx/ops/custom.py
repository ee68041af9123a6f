"""``Custom`` and ``_backward_Custom``: a Python operator (``mx.operator``) as one node.

``Custom(*inputs, op_type=name, **kwargs)`` looks up the property class registered as
``name`` (``mx.operator.register``), builds it with the other keyword arguments as
strings, and asks it for everything a registered op declares statically elsewhere:
input names (``list_arguments`` + ``list_auxiliary_states``), output names, shapes and
dtypes.  Its forward wraps the native inputs as NDArrays, allocates zeroed outputs and
calls the operator's ``forward``; its gradient is one ``_backward_Custom`` node whose
forward calls the *same* operator instance's ``backward`` (inputs: the head gradients,
the inputs, the aux states and the outputs; outputs: one gradient per argument).
The user's code runs with recording paused: the node is recorded once, by its caller.
"""
import numpy as np

from ..base import DTYPE_TO_FLAG, FLAGS, MXNetError
from .registry import Attrs, Op, Param, register

_PROP_CACHE = {}        # attrs -> property instance
_OPERATORS = {}         # (attrs, ctx, shapes, dtypes) -> CustomOp instance


class _AnyString(dict):
    """The parameters of ``Custom``: every keyword is one, a string."""

    def __contains__(self, key):
        return True

    def __getitem__(self, key):
        return Param("str", None)

    def get(self, key, default=None):
        return self[key]


class _CustomOpDef(Op):
    """An op whose attributes are ``op_type`` plus any keyword arguments, passed on as
    strings (MXNet's ``Custom``), and whose inputs and outputs its property names.
    Its array inputs are positional (``Custom(x, y, op_type=...)``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.params = _AnyString()

    def parse_attrs(self, kwargs):
        if "op_type" not in kwargs:
            raise MXNetError(f"{self.name}: required argument 'op_type' is missing")
        a = Attrs({k: str(v) for k, v in kwargs.items()})
        _prop(a, self.name)                        # unknown op_type: fail here
        return a

    def attrs_to_strings(self, a):
        return dict(a)


def _prop(a, who="Custom"):
    """The property instance for attributes ``a`` (made once per distinct ``a``)."""
    from ..operator import _PROPS
    key = tuple(sorted(a.items()))
    prop = _PROP_CACHE.get(key)
    if prop is None:
        cls = _PROPS.get(a["op_type"])
        if cls is None:
            raise MXNetError(f"{who}: no custom operator is registered as "
                             f"op_type={a['op_type']!r} (use @mx.operator.register)")
        prop = _PROP_CACHE[key] = cls(**{k: v for k, v in a.items() if k != "op_type"})
    return prop


def _counts(a):
    p = _prop(a)
    return len(p.list_arguments()), len(p.list_auxiliary_states()), len(p.list_outputs())


def _infer(a, in_shapes, method, convert):
    """Run the property's ``infer_shape``/``infer_type`` on the arguments; returns
    (inputs with aux, outputs) converted, or None entries where unknown."""
    n_args, n_aux, n_out = _counts(a)
    args = in_shapes[:n_args]
    unknown = list(in_shapes), [None] * n_out
    if all(s is None for s in args):
        return unknown
    # What MXNet passes: lists of ints and NumPy types; an unknown shape is [] and an
    # unknown type None, so a property may infer them (a label's shape from the data's).
    given = [[] if s is None else list(s) for s in args] if method == "infer_shape" else \
        [None if t is None else np.dtype(t).type for t in args]
    try:
        res = getattr(_prop(a), method)(given)
    except (IndexError, TypeError, KeyError):
        if any(s is None for s in args):          # it needed what is not known yet
            return unknown
        raise
    ins, outs = res[0], res[1]
    if any(s is None or (method == "infer_shape" and not len(s)) for s in ins) or \
            any(s is None for s in outs):
        return unknown
    aux = res[2] if len(res) > 2 and res[2] is not None else in_shapes[n_args:]
    if len(outs) != n_out:
        raise MXNetError(f"Custom ({a['op_type']}): {method} returned {len(outs)} outputs, "
                         f"list_outputs names {n_out}")
    return [convert(s) for s in ins] + [None if s is None else convert(s) for s in aux], \
        [convert(s) for s in outs]


def _shape(s):
    return tuple(int(d) for d in s)


def _context_of(k):
    """The Context whose backend is ``k``."""
    from ..backend import _INSTANCES
    from ..context import BACKEND_OF, Context
    for (name, dev), inst in _INSTANCES.items():
        if inst is k:
            kind = next((t for t, b in BACKEND_OF.items() if b == name), name)
            return Context(kind, dev)
    raise MXNetError("Custom: arrays of an unregistered backend")


def _operator(a, ctx, shapes, dtypes):
    key = (tuple(sorted(a.items())), ctx, tuple(shapes), tuple(dtypes))
    op = _OPERATORS.get(key)
    if op is None:
        op = _OPERATORS[key] = _prop(a).create_operator(      # MXNet: dtype flags
            ctx, [list(s) for s in shapes], [DTYPE_TO_FLAG[np.dtype(t)] for t in dtypes])
    return op


def _wrap(datas, ctx):
    from ..ndarray.ndarray import NDArray
    return [NDArray(d, ctx) for d in datas]


def _run_user(fn, *args):
    """Call the operator's forward/backward with recording paused (training kept)."""
    from .. import autograd
    with autograd.pause(FLAGS.training):
        fn(*args)


def _forward(k, a, *xs):
    n_args, n_aux, n_out = _counts(a)
    ctx = _context_of(k)
    shapes = [tuple(x.shape) for x in xs[:n_args]]
    dtypes = [np.dtype(x.dtype) for x in xs[:n_args]]
    _, out_shapes = _infer(a, shapes, "infer_shape", _shape)
    _, out_types = _infer(a, dtypes, "infer_type", np.dtype)
    op = _operator(a, ctx, shapes, dtypes)
    outs = [k.full(s, 0, t) for s, t in zip(out_shapes, out_types)]
    _run_user(op.forward, int(FLAGS.training), ["write"] * n_out, _wrap(xs[:n_args], ctx),
              _wrap(outs, ctx), _wrap(xs[n_args:], ctx))
    return tuple(outs) if n_out > 1 else outs[0]


def _gradient(F, a, xs, ys, dys):
    n_args, n_aux, n_out = _counts(a)
    if not _prop(a).need_top_grad_:           # a loss: its backward reads no head gradient
        dys = [None] * n_out                   # (so executor.backward() needs none)
    dys = [F.zeros_like(y) if d is None else d for d, y in zip(dys, ys)]
    grads = F._backward_Custom(*dys, *xs, *ys, **a)
    grads = list(grads) if n_args > 1 else [grads]
    return grads + [None] * n_aux


def _backward(k, a, *xs):
    n_args, n_aux, n_out = _counts(a)
    ograds, ins = xs[:n_out], xs[n_out:n_out + n_args]
    aux, outs = xs[n_out + n_args:n_out + n_args + n_aux], xs[n_out + n_args + n_aux:]
    ctx = _context_of(k)
    op = _operator(a, ctx, [tuple(x.shape) for x in ins], [np.dtype(x.dtype) for x in ins])
    grads = [k.full(tuple(x.shape), 0, x.dtype) for x in ins]
    _run_user(op.backward, ["write"] * n_args, _wrap(ograds, ctx), _wrap(ins, ctx),
              _wrap(outs, ctx), _wrap(grads, ctx), _wrap(aux, ctx))
    return tuple(grads) if n_args > 1 else grads[0]


def _names(a):
    p = _prop(a)
    return list(p.list_arguments()) + list(p.list_auxiliary_states())


register("Custom", _forward, op_class=_CustomOpDef, inputs=_names,
         outputs=lambda a: list(_prop(a).list_outputs()),
         infer_shape=lambda a, s: _infer(a, s, "infer_shape", _shape),
         infer_type=lambda a, t: _infer(a, t, "infer_type", np.dtype),
         gradient=_gradient, doc="""\
Run a custom operator written in Python (``mx.operator``): ``op_type`` names the
registered ``CustomOpProp``; every other keyword is passed to its constructor as a
string.  Inputs are the property's ``list_arguments()`` then its
``list_auxiliary_states()``; outputs its ``list_outputs()``.""")


def _bwd_names(a):
    p = _prop(a)
    outs = list(p.list_outputs())
    return [f"{o}_grad" for o in outs] + _names(a) + outs


register("_backward_Custom", _backward, op_class=_CustomOpDef, inputs=_bwd_names,
         outputs=lambda a: [f"{n}_grad" for n in _prop(a).list_arguments()],
         infer_shape=lambda a, s: (s, [s[_counts(a)[2] + i] for i in range(_counts(a)[0])]),
         infer_type=lambda a, t: (t, [t[_counts(a)[2] + i] for i in range(_counts(a)[0])]),
         gradient=None, doc="""\
A custom operator's gradient: calls its ``backward`` with the head gradients, the
forward's inputs, aux states and outputs; returns one gradient per argument.""")
