"""How ``mx.nd.<op>`` is generated from the registry, and ``invoke``, the imperative call.

One call of ``mx.nd.exp(x)`` goes: the generated function sorts its arguments into
array inputs and attributes -> ``invoke`` parses the attributes, picks the backend of
the inputs' context, pushes ``op.forward`` to the engine, wraps the native results in
NDArrays, and (inside ``autograd.record()``) appends the call to the tape.  Chapter 2
follows this path line by line.
"""
from ..autograd import _before_inplace_write, _record
from ..base import FLAGS, MXNetError
from ..context import Context, current_context
from ..engine import get_engine
from ..ops.registry import Attrs, get_op
from ..util import NP_MODE

__all__ = ["invoke", "dense_invoke", "make_function", "record_view", "result_class"]

_NDArray = None        # set by ndarray/__init__.py (this file is imported before the class)
_NP_NDARRAY = None     # mx.np.ndarray, set by numpy/__init__.py
_SPARSE = None         # ndarray/sparse.py, set by ndarray/__init__.py


def result_class(inputs=()):
    """The class of the arrays an operator returns: that of its first array input
    (an ``mx.np.ndarray`` in gives ``mx.np.ndarray`` s out), else, for creation,
    ``mx.np.ndarray`` after ``npx.set_np()`` and ``NDArray`` before (``pymx/util.py``).
    The one place that decides between the two front ends."""
    if inputs:
        return type(inputs[0])
    return _NP_NDARRAY if NP_MODE.array else _NDArray


def _fail(op, err, inputs):
    shapes = ", ".join(f"{n}{tuple(x.shape)}" for n, x in inputs)
    return MXNetError(f"{op.name}: {err} (inputs: {shapes or 'none'})")


def invoke(op, inputs, kwargs, out=None):
    """Run operator ``op`` on NDArrays ``inputs`` with attributes ``kwargs``.

    Returns one NDArray, or a list when the op has several visible outputs.  With
    ``out`` the result is written into that NDArray (or list of NDArrays) instead.
    A sparse input or ``out`` goes to ``sparse.dispatch`` (sparse kernel, else
    storage fallback), which calls ``dense_invoke`` on dense arrays.
    """
    sp = _SPARSE
    if sp is not None:
        types = sp.TYPES
        if op.name in sp.ALWAYS or out.__class__ in types:
            return sp.dispatch(op, inputs, kwargs, out)
        for x in inputs:
            if x.__class__ in types:
                return sp.dispatch(op, inputs, kwargs, out)
    return dense_invoke(op, inputs, kwargs, out)


def _both_cpu(a, b):
    """cpu(0), cpu(1), cpu_pinned... are all host memory: MXNet lets one op mix them
    (the result lives on the first input's context)."""
    return a.device_type.startswith("cpu") and b.device_type.startswith("cpu") \
        and a.backend.name == b.backend.name


def dense_invoke(op, inputs, kwargs, out=None):
    """``invoke`` for dense arrays: parse, run on the engine, wrap, record."""
    NDArray = result_class(inputs)
    ctx = kwargs.pop("ctx", None) if not inputs else None
    a = op.parse_attrs(kwargs)
    if inputs:
        ctx = inputs[0]._ctx
        for x in inputs:
            if x._ctx is not ctx and x._ctx != ctx and not _both_cpu(x._ctx, ctx):
                raise MXNetError(f"{op.name}: all inputs must be on one context, got "
                                 f"{ctx} and {x._ctx}; use as_in_context() to move them")
    elif ctx is None:
        ctx = current_context()
    elif not isinstance(ctx, Context):
        ctx = _parse_ctx(ctx)
    if op.inputs_by_attrs and len(inputs) != len(op.input_names(a)):
        names = op.input_names(a)
        raise MXNetError(f"{op.name}: expected {len(names)} array inputs {names} for "
                         f"these arguments, got {len(inputs)}")
    k = ctx.backend
    datas = [x._data for x in inputs]
    if out is not None and op.takes_out and _direct(op, a, out, inputs, ctx):
        return _run_into(op, k, a, datas, out, inputs)
    res = _push(op, a, inputs, lambda: op.forward(k, a, *datas), datas)
    if type(res) is tuple:
        outputs = [NDArray(r, ctx) for r in res]
    else:
        outputs = [NDArray(res, ctx)]
    if FLAGS.recording:
        _record(op, a, inputs, outputs)
    nvis = op.num_visible_outputs(a) if len(outputs) != 1 else 1
    if out is not None:
        targets = out if isinstance(out, (list, tuple)) else [out]
        for t, o in zip(targets, outputs):
            _write_into(op, t, o)
        return out
    return outputs[0] if nvis == 1 else outputs[:nvis]


def _direct(op, a, out, inputs, ctx):
    """May the op write straight into ``out``?  When nothing is recorded, the op may
    work in place (``op.inplace``, so its result has its input's shape) and ``out``
    has the shape and dtype of every input (``relu(x, out=x)``, ``x += y``,
    ``sgd_update(w, g, out=w)``), yes; else the result is computed as a new array and
    copied (``_write_into``, which also checks the shape).  With a list ``out`` (one
    array per output), each must have the shape and dtype of the input that
    ``op.inplace_pairs`` pairs with its output (``multi_sgd_update(..., out=weights)``)."""
    if FLAGS.recording or not inputs:
        return False
    if not op.inplace:
        return _fits_result(op, a, out, inputs, ctx)
    if isinstance(out, (list, tuple)):
        pairs = {j: i for i, j in op.inplace_pairs(a)}
        return len(out) == op.num_outputs(a) and all(
            pairs.get(j, len(inputs)) < len(inputs)
            and _fits(o, inputs[pairs[j]], ctx) for j, o in enumerate(out))
    return all(_fits(out, x, ctx) for x in inputs)


def _fits(out, x, ctx):
    """Is NDArray ``out`` on ``ctx`` with the shape and dtype of ``x``?"""
    return isinstance(out, _NDArray) and (out._ctx is ctx or out._ctx == ctx) and \
        out._data.shape == x._data.shape and out._data.dtype == x._data.dtype


def _fits_result(op, a, out, inputs, ctx):
    """An op that may not work in place: ``out`` must hold its one result's inferred
    shape and dtype and share no memory with an input (``multi_all_finite(...,
    init_output=False, out=flag)`` reads the flag it updates)."""
    from ..executor.storage import _root
    if not isinstance(out, _NDArray) or (out._ctx is not ctx and out._ctx != ctx):
        return False
    root = _root(out._data)
    if any(_root(x._data) is root for x in inputs):
        return False
    shapes = op.infer_shape(a, [x._data.shape for x in inputs])[1]
    dtypes = op.infer_type(a, [x._data.dtype for x in inputs])[1]
    return len(shapes) == 1 and shapes[0] is not None and \
        tuple(shapes[0]) == out._data.shape and dtypes[0] == out._data.dtype


def _run_into(op, k, a, datas, out, inputs):
    dests = tuple(o._data for o in out) if isinstance(out, (list, tuple)) else (out._data,)
    dest = dests if len(dests) > 1 else dests[0]
    res = _push(op, a, inputs, lambda: op.forward(k, a, *datas, out=dest), datas, dests)
    for r, d in zip(res if type(res) is tuple else (res,), dests):
        k.deliver(r, d)                  # (copies only for a forward that ignored out)
    return out


def _push(op, a, inputs, fn, reads, writes=()):
    """Run ``fn`` (the op's forward) on the engine; errors name the op and the shapes."""
    try:
        return get_engine().push(fn, reads, writes)
    except MXNetError as err:
        if str(err).startswith(op.name):
            raise
        raise _fail(op, err, zip(op.input_names(a), inputs)) from None
    except (ValueError, IndexError, TypeError, ZeroDivisionError, AttributeError) as err:
        raise _fail(op, err, zip(op.input_names(a), inputs)) from None


def _write_into(op, target, result):
    """``out=target``: copy ``result`` into ``target``'s buffer; autograd follows."""
    if target.shape != result.shape:
        raise MXNetError(f"{op.name}: out= has shape {target.shape} but the result has "
                         f"shape {result.shape}")
    if FLAGS.recording and target._node is not None:
        try:
            _before_inplace_write(target, result)
        except MXNetError as err:
            raise MXNetError(f"{op.name}: {err}") from None
    k = target._ctx.backend
    data = result._data
    if data.dtype != target._data.dtype:
        data = k.astype(data, target._data.dtype)
    k.setitem(target._data, Ellipsis, data)
    if result._node is not None:
        target._node = result._node
    elif FLAGS.recording:            # written by an op without gradient: a constant now
        target._node = None


def record_view(op_name, x, data, **kwargs):
    """Wrap ``data`` (a view of ``x``) as an NDArray and record it as op ``op_name``."""
    out = type(x)(data, x._ctx)
    if FLAGS.recording:
        op = get_op(op_name)
        _record(op, op.parse_attrs(kwargs), [x], [out])
    return out


def _parse_ctx(text):
    """'cpu(0)' -> Context('cpu', 0) (how symbol JSON and op kwargs spell contexts)."""
    if isinstance(text, str) and text.endswith(")") and "(" in text:
        kind, idx = text[:-1].split("(")
        return Context(kind, int(idx))
    if text in ("", None):
        return current_context()
    raise MXNetError(f"cannot parse context {text!r}")


def make_function(op, name=None):
    """Build the Python function ``mx.nd.<name>`` for ``op``.

    Positional arguments fill the array inputs first and then the parameters in their
    declared order, as MXNet's generated functions do; arrays may also be passed by
    input name.  ``out=`` writes the result into an existing array; ``name=`` and
    ``attr=`` are accepted (and ignored) so code written for ``mx.sym`` runs too.
    """
    name = name or op.name
    variadic = op.key_var_num_args is not None and op._inputs == "*data"
    param_order = [p for p in op.params if p != op.key_var_num_args]
    fixed_inputs = None if (variadic or callable(op._inputs)) else list(op._inputs)
    params = op.params
    NDArray = _NDArray

    def fn(*args, out=None, **kwargs):
        kwargs.pop("name", None)
        kwargs.pop("attr", None)
        if (len(args) == len(fixed_inputs) if fixed_inputs is not None else op.inputs_by_attrs) \
                and all(type(x) is NDArray for x in args) \
                and all(key in params for key in kwargs):
            return invoke(op, list(args), kwargs, out)      # the fast path: f(x, y, p=1)
        if variadic:
            if len(args) == 1 and isinstance(args[0], (list, tuple)):
                args = tuple(args[0])
            inputs = [x for x in args if isinstance(x, NDArray)]
            rest = [x for x in args if not isinstance(x, NDArray)]
            for p, v in zip(param_order, rest):
                kwargs[p] = v
            kwargs[op.key_var_num_args] = len(inputs)
            return invoke(op, inputs, kwargs, out)
        arrays = {}
        i = 0
        while i < len(args) and (isinstance(args[i], NDArray) or args[i] is None):
            arrays[i] = args[i]
            i += 1
        for p, v in zip([p for p in param_order if p not in kwargs], args[i:]):
            kwargs[p] = v
        if len(args) - i > len(param_order):
            raise TypeError(f"{name}() got too many positional arguments")
        in_names = fixed_inputs or op.input_names(_partial_attrs(op, kwargs))
        inputs = []
        for j, in_name in enumerate(in_names):
            x = arrays.pop(j, None)
            x = kwargs.pop(in_name, x)
            if x is None:
                raise MXNetError(f"{name}: required input {in_name!r} is missing")
            if not isinstance(x, NDArray):
                raise TypeError(f"{name}: input {in_name!r} must be an NDArray, got "
                                f"{type(x).__name__}")
            inputs.append(x)
        extra = [v for v in arrays.values() if v is not None]
        if extra:
            raise TypeError(f"{name}() got {len(extra)} more array inputs than it takes "
                            f"({in_names})")
        return invoke(op, inputs, kwargs, out)

    fn.__name__ = name
    fn.__qualname__ = name
    fn.__doc__ = _docstring(op)
    return fn


def _partial_attrs(op, kwargs):
    """The attributes known so far (defaults plus given ones), for input naming."""
    a = Attrs(op.defaults)
    for key, value in kwargs.items():
        if key in op.params:
            a[key] = op.params[key].parse(value, op.name, key)
    return a


def _docstring(op):
    doc = (op.__doc__ or "").strip() or f"The ``{op.name}`` operator."
    lines = [doc, "", "Parameters", "----------"]
    for n in op.input_names(op.defaults) if not callable(op._inputs) and op._inputs != "*data" \
            else (["*data"] if op._inputs == "*data" else ["(inputs depend on attributes)"]):
        lines.append(f"{n} : NDArray")
    for n, p in op.params.items():
        default = "required" if p.default is not None and p.default.__class__ is object \
            else f"default {p.default!r}"
        lines.append(f"{n} : {p.kind}, {default}")
        if p.doc:
            lines.append(f"    {p.doc}")
    return "\n".join(lines)

