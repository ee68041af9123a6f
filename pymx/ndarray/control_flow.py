"""Control flow for imperative code: ``mx.nd.contrib.foreach``, ``while_loop``, ``cond``.

In MXNet these are also graph operators (``_foreach``, ``_while_loop``, ``_cond``) with
subgraphs; imperatively they are Python loops that call the body on NDArrays, and so
are these.  Every op the body runs is an ordinary operator call, so inside
``autograd.record()`` the tape sees the unrolled loop and gradients flow through it
with no extra machinery.  Chapter 4 ("Control flow") teaches them.

Loop data and states may be one NDArray or a (nested) list of NDArrays; the results
come back in the structure the body returned.
"""
from ..base import MXNetError

__all__ = ["foreach", "while_loop", "cond"]


def _flatten(x, what, leaf=None):
    """``(flat list of leaves, format)``; format None means "a single leaf".  The leaves
    are NDArrays (``leaf``: the graph versions in ``symbol/control_flow.py`` pass Symbol)."""
    if leaf is None:
        from .ndarray import NDArray as leaf
    if isinstance(x, leaf):
        return [x], None
    if not isinstance(x, (list, tuple)):
        name = leaf.__name__
        raise MXNetError(f"{what} must be a {name} or a (nested) list of {name}s, got "
                         f"{type(x).__name__}")
    flat, fmt = [], []
    for item in x:
        f, sub = _flatten(item, what, leaf)
        flat.extend(f)
        fmt.append(sub if sub is not None else 1)
    return flat, fmt


def _regroup(flat, fmt):
    """Inverse of ``_flatten``: rebuild the structure ``fmt`` from the flat list."""
    if fmt is None:
        return flat[0]
    out, i = [], 0

    def take(f):
        nonlocal i
        if f == 1:
            i += 1
            return flat[i - 1]
        return [take(g) for g in f]
    out = [take(f) for f in fmt]
    return out


def _scalar(x, what):
    if hasattr(x, "asscalar"):
        x = x.asscalar()
    try:
        return bool(x)
    except (TypeError, ValueError):
        raise ValueError(f"Cannot convert {what} to python bool") from None


def foreach(body, data, init_states):
    """Run ``body`` over axis 0 of ``data``, carrying states::

        states = init_states
        for i in range(data.shape[0]):
            out, states = body(data[i], states)     # data: NDArray or list of them
            outs.append(out)
        return stack(outs), states

    ``body(x_t, states) -> (outputs, new_states)``; outputs and states are NDArrays or
    (nested) lists of them, of the same structure every step.  Returns the outputs
    stacked along a new axis 0 (in the body's structure) and the last states.
    """
    from . import op
    flat_data, data_fmt = _flatten(data, "foreach: data")
    _flatten(init_states, "foreach: init_states")
    lengths = {d.shape[0] for d in flat_data}
    if len(lengths) != 1:
        raise MXNetError(f"foreach: every data array needs one length on axis 0, got "
                         f"shapes {[tuple(d.shape) for d in flat_data]}")
    steps, out_fmt, states = [], None, init_states
    for i in range(lengths.pop()):
        outs, states = body(_regroup([d[i] for d in flat_data], data_fmt), states)
        flat, out_fmt = _flatten(outs, "foreach: body output") if outs is not None or \
            steps else ([], [])
        if steps and len(flat) != len(steps[0]):
            raise MXNetError(f"foreach: the body returned {len(flat)} outputs at step {i}, "
                             f"{len(steps[0])} before")
        steps.append(flat)
    if not steps:
        return [], states
    stacked = [op.stack(*outs, axis=0) for outs in zip(*steps)]
    return _regroup(stacked, out_fmt) if out_fmt != [] else [], states


def while_loop(cond, func, loop_vars, max_iterations=None):
    """Run ``func`` while ``cond`` holds, at most ``max_iterations`` times::

        steps = 0
        while steps < max_iterations and cond(*loop_vars):
            step_output, loop_vars = func(*loop_vars)
            outputs.append(step_output); steps += 1

    ``cond(*loop_vars)`` returns a scalar (an NDArray of one element or a Python
    value); ``func(*loop_vars)`` returns ``(step_output, new_loop_vars)`` (either may be
    None or a list).  Returns ``(outputs, loop_vars)``: each output stacked along axis
    0 and padded to ``max_iterations`` rows (MXNet leaves the padding undefined; pymx
    fills zeros), and the final loop variables (a single NDArray if one was given).
    """
    from . import op
    from .ndarray import NDArray, zeros
    if max_iterations is None:
        raise ValueError("max_iterations should be specified")
    single = isinstance(loop_vars, NDArray)
    loop_vars = [loop_vars] if single else list(loop_vars)
    if not loop_vars:
        raise ValueError("loop_vars should contain at least one element")
    max_iterations = int(max_iterations)
    outputs, out_fmt = [], None
    while len(outputs) < max_iterations and _scalar(cond(*loop_vars),
                                                    "Return value of cond"):
        step, new_vars = func(*loop_vars)
        step = [] if step is None else list(step) if isinstance(step, tuple) else step
        new_vars = [] if new_vars is None else new_vars
        new_vars = [new_vars] if isinstance(new_vars, NDArray) else list(new_vars)
        if len(new_vars) != len(loop_vars):
            raise ValueError("The length of loop_vars should be consistent during the loop")
        flat, out_fmt = _flatten(step, "while_loop: step_output")
        if outputs and len(flat) != len(outputs[0]):
            raise ValueError("Number of elements in step_output should be the same in "
                             "each step")
        outputs.append(flat)
        loop_vars = new_vars
    stacked = []
    for items in zip(*outputs):
        rows = [x.expand_dims(0) for x in items]
        if len(rows) < max_iterations:
            first = items[0]
            rows.append(zeros((max_iterations - len(rows),) + tuple(first.shape),
                                 ctx=first.context, dtype=first.dtype))
        stacked.append(op.concat(*rows, dim=0))
    if outputs:
        stacked = _regroup(stacked, out_fmt)
    return stacked, (loop_vars[0] if single else loop_vars)


def cond(pred, then_func, else_func):
    """``then_func()`` if ``pred`` (a one-element NDArray or a Python value) is true,
    else ``else_func()``: only the branch taken runs (and is recorded by autograd)."""
    return then_func() if _scalar(pred, "pred") else else_func()
