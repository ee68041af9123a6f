"""Autograd: record imperative operator calls on a tape, then run it backwards.

Inside ``with autograd.record():`` every operator call (``invoke``) adds a ``Node`` to
the graph: the op, its attributes, its input arrays and its outputs.  ``backward``
walks the nodes in reverse topological order and asks each op's gradient rule
(``Op.gradient``, written with ``mx.nd`` ops) for the gradient of its inputs.
Because the rules are themselves ``mx.nd`` calls, running them while recording
(``create_graph=True``) records the backward pass too: that is how higher-order
gradients work.

Two independent flags (MXNet semantics): *recording* decides whether calls are taped;
*training* decides how Dropout and BatchNorm behave.  ``record()`` sets both (unless
``train_mode=False``); ``pause()`` clears recording; ``train_mode()``/``predict_mode()``
set only training.  Chapter 4 teaches this file.

Differences from MXNet 1.9.1, on purpose: in-place writes (``y += x``, ``y[:] = v``,
``out=y``) into intermediate results are allowed under ``record()`` when the tape stays
correct (``_before_inplace_write``); MXNet refuses them all.  A variable the heads reach
only through zero-gradient ops gets zeros, as in MXNet.
"""

from .base import FLAGS, MXNetError
from .ops.registry import Attrs

__all__ = ["record", "pause", "train_mode", "predict_mode", "is_recording", "is_training",
           "set_recording", "set_training", "backward", "grad", "mark_variables",
           "get_symbol", "Function"]


# ---- the two flags ------------------------------------------------------------------
def is_recording():
    """True inside ``record()`` (and not inside ``pause()``)."""
    return FLAGS.recording


def is_training():
    """True when layers should behave as in training (Dropout active, batch stats)."""
    return FLAGS.training


def set_recording(is_recording):  # noqa: F811 (MXNet's parameter name)
    """Set the recording flag; returns the previous value."""
    prev, FLAGS.recording = FLAGS.recording, bool(is_recording)
    return prev


def set_training(train_mode):  # noqa: F811
    """Set the training flag; returns the previous value."""
    prev, FLAGS.training = FLAGS.training, bool(train_mode)
    return prev


class _scope:
    """Set the recording/training flags (None: leave one alone) on ``__enter__`` and put
    back the old values on ``__exit__``.  An object, as MXNet's scope is, not a
    generator: ``autograd.record().__enter__()`` keeps recording until ``__exit__`` even
    if the object itself is dropped."""

    def __init__(self, recording=None, training=None):
        self.recording, self.training = recording, training
        self.old = None

    def __enter__(self):
        self.old = (FLAGS.recording, FLAGS.training)
        if self.recording is not None:
            FLAGS.recording = self.recording
        if self.training is not None:
            FLAGS.training = self.training
        return self

    def __exit__(self, *exc):
        FLAGS.recording, FLAGS.training = self.old


def record(train_mode=True):  # noqa: F811
    """``with record():`` tapes operator calls for ``backward`` (training flag on by default)."""
    return _scope(True, train_mode)


def pause(train_mode=False):  # noqa: F811
    """``with pause():`` stops taping inside a ``record()`` block."""
    return _scope(False, train_mode)


def train_mode():
    """``with train_mode():`` layers behave as in training; recording is unchanged."""
    return _scope(None, True)


def predict_mode():
    """``with predict_mode():`` layers behave as in inference; recording is unchanged."""
    return _scope(None, False)


# ---- the tape -------------------------------------------------------------------------
class Node:
    """One recorded call.  A *leaf* node stands for a variable (``attach_grad``).
    ``nreaders`` counts the recorded calls that took one of its outputs as input."""
    __slots__ = ("op", "attrs", "inputs", "entries", "outputs", "var", "freed", "nreaders")

    def __init__(self, op=None, attrs=None, inputs=(), entries=(), outputs=(), var=None):
        self.op, self.attrs, self.var = op, attrs, var
        self.inputs, self.entries, self.outputs = inputs, entries, outputs
        self.freed = False
        self.nreaders = 0

    @property
    def is_leaf(self):
        return self.var is not None

    def free(self):
        """Drop the saved arrays (after a backward without ``retain_graph``); an op
        that holds more (a CachedOp call's memory blocks) gets ``release()`` called."""
        if not self.is_leaf:
            self.inputs = self.outputs = None
            self.freed = True
            release = getattr(self.op, "release", None)
            if release is not None:
                release()


def _record(op, attrs, inputs, outputs):
    """Called by ``invoke`` while recording: add one node if any input needs a gradient."""
    entries = [x._node for x in inputs]
    if op.gradient is None or not any(entries):       # entries are tuples or None
        return
    NDArray = type(outputs[0])
    saved = [NDArray(o._data, o._ctx) for o in outputs]     # values the rule may read
    node = Node(op, attrs, list(inputs), entries, saved)
    for e in entries:
        if e is not None:
            e[0].nreaders += 1
    for i, (o, s) in enumerate(zip(outputs, saved)):
        o._node = s._node = (node, i)


def _before_inplace_write(target, result):
    """Called by ``out=target`` (``y += x``, ``y[:] = v``, ``relu(x, out=y)``) while
    recording, before ``result`` is written into ``target``'s buffer.

    MXNet 1.9.1 refuses every such write into an array of the graph.  pymx allows it
    for intermediate results when the tape stays correct: the call that produced
    ``target`` and the call being written (which may read ``target``: ``y *= x``) get
    a copy of the old value.  It refuses, with a clear error, writes into a variable
    (``attach_grad``) and writes into a result that another recorded call has already
    read (its saved input would change under it)."""
    entry = target._node
    if entry is None:
        return
    prev = entry[0]
    if prev.is_leaf:
        raise MXNetError(
            "in-place write into an array that is a variable of the recorded graph "
            "(attach_grad); do it outside autograd.record() or on a copy (MXNet: "
            "'Assigning to NDArrays that are already in a computational graph')")
    node = result._node[0] if result._node is not None else None
    own = sum(1 for e in node.entries if e is not None and e[0] is prev) if node else 0
    if prev.nreaders > own:
        raise MXNetError(
            "in-place write into an array that a recorded operation has already read; "
            "its gradient would use the new values.  Write into a copy instead, e.g. "
            "y = y + x rather than y += x (MXNet refuses in-place writes under "
            "autograd.record() altogether)")
    if prev.freed:
        return
    k = target._ctx.backend
    old = type(target)(k.copy(target._data), target._ctx)
    old._node = entry
    prev.outputs[entry[1]]._data = old._data           # the producer's saved output
    if node is not None:                                # the writing call's own input
        node.inputs = [old if x is target else x for x in node.inputs]


def mark_variables(variables, gradients, grad_reqs="write"):
    """Make each array of ``variables`` a leaf of the graph whose gradient goes into the
    matching array of ``gradients`` (``grad_reqs``: 'write', 'add' or 'null', one or a list)."""
    from .ndarray.ndarray import NDArray
    if isinstance(variables, NDArray):
        variables, gradients = [variables], [gradients]
    if isinstance(grad_reqs, str):
        grad_reqs = [grad_reqs] * len(variables)
    for var, g, req in zip(variables, gradients, grad_reqs):
        if req not in ("write", "add", "null"):
            raise ValueError(f"grad_req must be 'write', 'add' or 'null', got {req!r}")
        var._grad = g             # (also for 'null': MXNet's .grad is then zeros, never written)
        var._grad_req = req
        var._node = None if req == "null" else (Node(var=var), 0)
        var._fresh_grad = False


def _topological(heads):
    """Nodes reachable from ``heads``, inputs before the nodes that consume them."""
    # BEGIN EXERCISE tape_order
    order, seen = [], set()
    stack = [(h._node[0], False) for h in heads]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        if node.freed:
            raise MXNetError(
                "backward: the graph was freed by an earlier backward; pass "
                "retain_graph=True to the first backward to run it twice")
        for e in node.entries:
            if e is not None and id(e[0]) not in seen:
                stack.append((e[0], False))
    return order
    # END EXERCISE tape_order


def _run_backward(heads, head_grads, retain_graph, create_graph, train_mode):  # noqa: F811
    """Back-propagate; returns {id(leaf node): gradient NDArray}."""
    from . import ndarray as nd
    from .ndarray.ndarray import NDArray
    if isinstance(heads, NDArray):
        heads = [heads]
    if head_grads is None:
        head_grads = [None] * len(heads)
    elif isinstance(head_grads, NDArray):
        head_grads = [head_grads]
    if len(head_grads) != len(heads):
        raise ValueError(f"backward: {len(heads)} heads but {len(head_grads)} head_grads")
    for h, hg in zip(heads, head_grads):
        if hg is not None and hg.shape != h.shape:
            raise MXNetError(f"backward: head gradient has shape {hg.shape} but its head "
                             f"has shape {h.shape}")
        if h._node is None:
            raise MXNetError(
                "Cannot differentiate node because it is not in a computational graph. "
                "You need to set is_recording to true or use autograd.record() to save "
                "computational graphs for backward. If you want to differentiate the same "
                "graph twice, you need to pass retain_graph=True to backward.")
    order = _topological(heads)
    # BEGIN EXERCISE tape_backward
    grads = {}                                    # id(node) -> [gradient per output]

    def accumulate(entry, g):
        node, i = entry
        slot = grads.setdefault(id(node), [None] * max(1, len(node.outputs or [0])))
        slot[i] = g if slot[i] is None else nd.elemwise_add(slot[i], g)

    with _scope(create_graph, train_mode):
        for h, hg in zip(heads, head_grads):
            if hg is None and h.stype != "default":
                hg = nd.ones_like(h.detach())
            elif hg is None:                 # ones, a constant (not recorded)
                k = h._ctx.backend
                hg = type(h)(k.full(h._data.shape, 1, h._data.dtype), h._ctx)
            accumulate(h._node, hg)
        leaf_grads = {}
        for node in reversed(order):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            if node.is_leaf:
                leaf_grads[id(node)] = (node, g[0])
                continue
            ograds = [gi if gi is not None else nd.zeros_like(o)
                      for gi, o in zip(g, node.outputs)]
            in_grads = node.op.gradient(nd, node.attrs, node.inputs, node.outputs, ograds)
            for entry, ig in zip(node.entries, in_grads):
                if entry is not None and ig is not None:
                    accumulate(entry, ig)
    # END EXERCISE tape_backward
    for node in order:          # variables reached with no gradient (zeros_like, argmax...)
        if node.is_leaf and id(node) not in leaf_grads:
            leaf_grads[id(node)] = (node, None)        # None: zero (MXNet writes zeros)
    if not retain_graph:
        for node in order:
            node.free()
    return leaf_grads


def backward(heads, head_grads=None, retain_graph=False, train_mode=True):  # noqa: F811
    """Compute the gradient of ``heads`` with respect to every variable they depend on
    and store it in the variables' ``.grad`` (per their grad_req).  A ``None`` head
    gradient means ones."""
    leaf_grads = _run_backward(heads, head_grads, retain_graph, False, train_mode)
    for node, g in leaf_grads.values():
        var = node.var
        if var._grad_req == "null" or var._grad is None or var._node[0] is not node:
            continue                         # (re-attached since: a new variable)
        k = var._grad._ctx.backend
        if g is None:
            if var._grad_req == "write":
                k.setitem(var._grad._data, Ellipsis, 0)
        elif var._grad_req == "add":
            k.setitem(var._grad._data, Ellipsis,
                      k.binary("add", var._grad._data, g._data))
        else:
            k.setitem(var._grad._data, Ellipsis, g._data)
        var._fresh_grad = True


def grad(heads, variables, head_grads=None, retain_graph=None, create_graph=False,
         train_mode=True):  # noqa: F811
    """Return the gradients of ``heads`` with respect to ``variables`` as new arrays
    (``.grad`` is not touched).  With ``create_graph=True`` the returned gradients are
    themselves recorded, so they can be differentiated again."""
    from . import ndarray as nd
    from .ndarray.ndarray import NDArray
    single = isinstance(variables, NDArray)
    if single:
        variables = [variables]
    if retain_graph is None:
        retain_graph = create_graph
    for i, v in enumerate(variables):
        if v._node is None or not v._node[0].is_leaf:
            raise MXNetError(f"grad: variable {i} is not marked; call attach_grad() on it "
                             "before recording")
    leaf_grads = _run_backward(heads, head_grads, retain_graph, create_graph, train_mode)
    out = []
    for i, v in enumerate(variables):
        found = leaf_grads.get(id(v._node[0]))
        if found is None:                    # MXNet counts variables from 1 here
            raise MXNetError(f"Cannot differentiate with respect to the {i + 1}-th "
                             "variable because it is unreachable from the outputs.")
        g = found[1]
        out.append(nd.zeros_like(v.detach()) if g is None else g)
    return out


def get_symbol(x):
    """The recorded graph that produced ``x``, as a Symbol (variables become inputs)."""
    from .symbol.tape import symbol_from_tape
    return symbol_from_tape(x)


# ---- custom functions ---------------------------------------------------------------
class _FunctionOp:
    """Makes a ``Function`` instance look like an op to the tape."""
    name = "Function"

    def __init__(self, fn):
        self.fn = fn

    def gradient(self, F, a, xs, ys, dys):
        with pause():
            grads = self.fn.backward(*dys)
        grads = list(grads) if isinstance(grads, (list, tuple)) else [grads]
        if len(grads) != len(xs):
            raise MXNetError(f"{type(self.fn).__name__}.backward returned {len(grads)} "
                             f"gradients for {len(xs)} inputs")
        return grads


class Function:
    """A custom differentiable function: subclass it, define ``forward(*inputs)`` and
    ``backward(*output_grads)`` on NDArrays, and call an instance like a function.

    ``forward`` runs with recording paused; ``save_for_backward(*arrays)`` keeps what
    ``backward`` needs in ``self.saved_tensors``.
    """

    def __init__(self):
        self.saved_tensors = ()

    def save_for_backward(self, *args):
        """Keep arrays for ``backward`` (call it inside ``forward``); they are in
        ``self.saved_tensors``, in the order given.
        """
        self.saved_tensors = args

    def forward(self, *inputs):
        """Override: compute the outputs (NDArray or tuple) from NDArray ``inputs``.

        It runs with recording paused, so the ops inside are not taped: the whole call
        is one node whose gradient is ``backward``.
        """
        raise NotImplementedError

    def backward(self, *output_grads):
        """Override: given one gradient per output (same shapes), return the
        gradient of each input of ``forward``, in order (one NDArray, or a tuple for
        several inputs).  Runs with recording paused.
        """
        raise NotImplementedError

    def __call__(self, *inputs):
        with pause(FLAGS.training):
            outputs = self.forward(*inputs)
        many = isinstance(outputs, (list, tuple))
        outs = list(outputs) if many else [outputs]
        if FLAGS.recording:
            _record(_FunctionOp(self), Attrs(), list(inputs), outs)
        return outputs
