"""The legacy symbolic RNN cells of ``mx.rnn`` (MXNet 1.x, before Gluon).

A cell builds **symbols**, not arrays: ``cell(x_t, states)`` appends one time step to
the graph and returns ``(output, new_states)``; ``cell.unroll(length, inputs)`` does
that ``length`` times and returns ``(outputs, last_states)``.  Every step uses the
same weight variables (``RNNParams`` hands out one ``Variable`` per name), so the
unrolled graph has one set of parameters however long it is::

    >>> import pymx as mx
    >>> cell = mx.rnn.LSTMCell(num_hidden=4, prefix='lstm_')
    >>> outputs, states = cell.unroll(3, mx.sym.var('data'), merge_outputs=True)
    >>> outputs.list_arguments()
    ['data', 'lstm_i2h_weight', 'lstm_i2h_bias', 'lstm_h2h_weight', 'lstm_h2h_bias']

The step functions (MXNet's gate orders; ``W x + b`` is a ``FullyConnected`` named
``<prefix>t<step>_i2h`` / ``_h2h``, and ``i2h + h2h`` is sliced into the gates):

* ``RNNCell``:  ``h' = act(i2h(x) + h2h(h))``
* ``LSTMCell``: ``[i, f, c~, o] = split(i2h(x) + h2h(h))``; ``c' = sig(f) c +
  sig(i) tanh(c~)``; ``h' = sig(o) tanh(c')``.  ``i2h_bias`` carries the
  ``LSTMBias(forget_bias)`` initializer: the forget gate's bias starts at 1.
* ``GRUCell`` (cuDNN's variant): ``[r, z, n] = split(i2h(x))``, same for ``h2h(h)``;
  ``r = sig(i2h_r + h2h_r)``, ``z = sig(i2h_z + h2h_z)``, ``n = tanh(i2h_n + r *
  h2h_n)``, ``h' = (1 - z) n + z h``.

``FusedRNNCell`` instead emits one ``RNN`` operator for all steps and layers with one
packed ``parameters`` vector; ``unpack_weights``/``pack_weights`` convert between
that vector (or the stacked gates of an ``LSTMCell``) and one array per gate,
named like ``lstm_l0_i2h_f_weight``; ``unfuse()`` gives the equivalent stack of
step cells, whose ``unpack_weights`` names are the same.

**Begin states and the batch size.**  ``begin_state()`` returns MXNet's ``_zeros``
symbols of shape ``(0, num_hidden)``: a 0 is a dimension MXNet's shape inference
fills in later from the neighbours.  pymx's shape inference does not propagate
partially known shapes, so ``unroll`` and ``__call__`` replace such zeros by zeros
built from the input's batch dimension (``_resolve_states``): the arguments,
outputs and numbers are MXNet's, only internal nodes differ.

Chapter 8 (natural language, "Symbolic RNN cells and bucketing") teaches this file.
"""
import numbers
import warnings

from .. import init, ndarray, symbol

__all__ = ["RNNParams", "BaseRNNCell", "RNNCell", "LSTMCell", "GRUCell", "FusedRNNCell",
           "SequentialRNNCell", "DropoutCell", "ModifierCell", "ZoneoutCell",
           "ResidualCell", "BidirectionalCell"]


def _cells_state_info(cells):
    return sum([c.state_info for c in cells], [])


def _cells_begin_state(cells, **kwargs):
    return sum([c.begin_state(**kwargs) for c in cells], [])


def _cells_unpack_weights(cells, args):
    for cell in cells:
        args = cell.unpack_weights(args)
    return args


def _cells_pack_weights(cells, args):
    for cell in cells:
        args = cell.pack_weights(args)
    return args


def _normalize_sequence(length, inputs, layout, merge):
    """Inputs as a list of ``length`` (N, C) steps (``merge`` False), one symbol in
    ``layout`` (True) or as given (None).  Returns ``(inputs, time axis)``."""
    assert inputs is not None, \
        "unroll(inputs=None) has been deprecated. " \
        "Please create input variables outside unroll."
    axis = layout.find("T")
    if isinstance(inputs, symbol.Symbol):
        if merge is False:
            assert len(inputs.list_outputs()) == 1, \
                "unroll doesn't allow grouped symbol as input. Please convert " \
                "to list with list(inputs) first or let unroll handle splitting."
            inputs = list(symbol.split(inputs, axis=axis, num_outputs=length,
                                       squeeze_axis=1))
    else:
        assert length is None or len(inputs) == length, \
            f"unroll: {len(inputs)} inputs given for length {length}"
        if merge is True:
            inputs = [symbol.expand_dims(i, axis=axis) for i in inputs]
            inputs = symbol.Concat(*inputs, dim=axis)
    return inputs, axis


# ---- zeros whose batch dimension comes from the input ----------------------------------
def _unknown_zeros(state):
    """``shape`` of a ``_zeros`` symbol with exactly one unknown (0) dimension, else
    None."""
    outs = getattr(state, "_outputs", None)
    if not isinstance(state, symbol.Symbol) or not outs or len(outs) != 1:
        return None
    node = outs[0][0]
    if node.is_variable or node.op.name != "_zeros":
        return None
    shape = tuple(node.parsed["shape"])
    return shape if list(shape).count(0) == 1 else None


def _batch_zeros(like, like_layout, shape):
    """Zeros of ``shape`` (one 0: the batch axis) with the batch size of ``like``
    (whose axes are named by ``like_layout``, batch ``'N'``)."""
    x = like
    batch = like_layout.find("N")
    for ax in range(len(like_layout)):
        if ax != batch:
            x = symbol.slice_axis(x, axis=ax, begin=0, end=1)
    b = shape.index(0)
    x = symbol.Reshape(symbol.zeros_like(x),
                       shape=tuple(-1 if i == b else 1 for i in range(len(shape))))
    other = [i for i in range(len(shape)) if i != b]
    if other:
        x = symbol.broadcast_axis(x, axis=tuple(other), size=tuple(shape[i] for i in other))
    return x


def _resolve_states(states, like, like_layout):
    """Replace begin-state zeros of unknown batch size by zeros sized like ``like``."""
    out = []
    for s in states:
        if isinstance(s, (list, tuple)):
            out.append(_resolve_states(s, like, like_layout))
            continue
        shape = _unknown_zeros(s)
        out.append(s if shape is None else _batch_zeros(like, like_layout, shape))
    return out


def _step_like(inputs, layout):
    """A symbol carrying the batch size, and its layout: the merged input, or the first
    (N, C) step."""
    if isinstance(inputs, symbol.Symbol):
        return inputs, layout
    return inputs[0], "NC"


class RNNParams:
    """The weight variables of a cell, created on first use and shared afterwards.

    ``RNNParams('lstm_').get('i2h_weight')`` is ``Variable('lstm_i2h_weight')``, the
    same object on every call; give one ``RNNParams`` to several cells (``params=``)
    to make them share weights.

    Parameters
    ----------
    prefix : str
        Prepended to every variable name.
    """

    def __init__(self, prefix=""):
        self._prefix = prefix
        self._params = {}

    def get(self, name, **kwargs):
        """The variable ``prefix + name``, created with ``symbol.Variable(...,
        **kwargs)`` (e.g. ``init=``) if it does not exist yet."""
        name = self._prefix + name
        if name not in self._params:
            self._params[name] = symbol.Variable(name, **kwargs)
        return self._params[name]


class BaseRNNCell:
    """The interface of a symbolic RNN cell.

    Parameters
    ----------
    prefix : str
        Prefix of the names of the cell's nodes (and weights, if ``params`` is None).
    params : RNNParams or None
        Weights to share with another cell; a new container if None.
    """

    def __init__(self, prefix="", params=None):
        if params is None:
            params = RNNParams(prefix)
            self._own_params = True
        else:
            self._own_params = False
        self._prefix = prefix
        self._params = params
        self._modified = False
        self.reset()

    def reset(self):
        """Reset the step and begin-state counters (call before building a new graph:
        node names restart at ``t0``)."""
        self._init_counter = -1
        self._counter = -1
        for cell in getattr(self, "_cells", []):
            cell.reset()

    def __call__(self, inputs, states):
        """One time step: ``inputs`` (N, C) and the ``states`` list ->
        ``(output, new_states)`` symbols."""
        raise NotImplementedError()

    @property
    def params(self):
        """The cell's ``RNNParams`` (asking for it marks them as shared)."""
        self._own_params = False
        return self._params

    @property
    def state_info(self):
        """Per state: ``{'shape': ..., '__layout__': ...}`` (0 = the batch size)."""
        raise NotImplementedError()

    @property
    def state_shape(self):
        """The shapes of the states."""
        return [ele["shape"] for ele in self.state_info]

    @property
    def _gate_names(self):
        return ()

    def begin_state(self, func=symbol.zeros, **kwargs):
        """The initial states: ``func(name='<prefix>begin_state_<i>', shape=...,
        __layout__=..., **kwargs)`` per state (``func`` e.g. ``mx.sym.zeros`` or
        ``mx.sym.Variable`` to feed the states as inputs)."""
        assert not self._modified, \
            "After applying modifier cells (e.g. DropoutCell) the base " \
            "cell cannot be called directly. Call the modifier cell instead."
        states = []
        for info in self.state_info:
            self._init_counter += 1
            if info is not None:
                kwargs.update(info)
            states.append(func(name=f"{self._prefix}begin_state_{self._init_counter}",
                               **kwargs))
        return states

    def unpack_weights(self, args):
        """Split the stacked gate weights in ``args`` (e.g. ``lstm_i2h_weight`` of shape
        (4H, C)) into one array per gate (``lstm_i2h_i_weight`` ... ``_o_weight``);
        returns a new dict (the inverse of ``pack_weights``)."""
        args = args.copy()
        if not self._gate_names:
            return args
        h = self._num_hidden
        for group in ("i2h", "h2h"):
            weight = args.pop(f"{self._prefix}{group}_weight")
            bias = args.pop(f"{self._prefix}{group}_bias")
            for j, gate in enumerate(self._gate_names):
                args[f"{self._prefix}{group}{gate}_weight"] = weight[j * h:(j + 1) * h].copy()
                args[f"{self._prefix}{group}{gate}_bias"] = bias[j * h:(j + 1) * h].copy()
        return args

    def pack_weights(self, args):
        """Concatenate per-gate weights back into the stacked arrays the cell uses."""
        args = args.copy()
        if not self._gate_names:
            return args
        for group in ("i2h", "h2h"):
            for kind in ("weight", "bias"):
                parts = [args.pop(f"{self._prefix}{group}{gate}_{kind}")
                         for gate in self._gate_names]
                args[f"{self._prefix}{group}_{kind}"] = ndarray.concat(*parts, dim=0)
        return args

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None):
        """Apply the cell ``length`` times.

        Parameters
        ----------
        length : int
        inputs : Symbol or list of Symbol
            One symbol of shape (N, T, C) for ``layout='NTC'`` ((T, N, C) for
            ``'TNC'``), or a list of ``length`` (N, C) symbols.
        begin_state : list of Symbol, optional
            Default ``begin_state()`` (zeros).
        layout : str
        merge_outputs : bool or None
            True: one symbol in ``layout``; False: a list of (N, H) symbols; None:
            whichever the cell produces naturally (a list for step cells).

        Returns
        -------
        (outputs, states)
        """
        self.reset()
        inputs, _ = _normalize_sequence(length, inputs, layout, False)
        if begin_state is None:
            begin_state = self.begin_state()
        states = _resolve_states(begin_state, inputs[0], "NC")
        outputs = []
        for i in range(length):
            output, states = self(inputs[i], states)
            outputs.append(output)
        outputs, _ = _normalize_sequence(length, outputs, layout, merge_outputs)
        return outputs, states

    def _fc_variables(self, i2h_bias_init=None):
        """Create the weight variables of the two ``FullyConnected`` maps (input to
        hidden, hidden to hidden)."""
        kwargs = {} if i2h_bias_init is None else {"init": i2h_bias_init}
        self._iW = self.params.get("i2h_weight")
        self._iB = self.params.get("i2h_bias", **kwargs)
        self._hW = self.params.get("h2h_weight")
        self._hB = self.params.get("h2h_bias")

    def _nc_states(self, n):
        """``n`` states of shape (N, num_hidden), N unknown (0)."""
        return [{"shape": (0, self._num_hidden), "__layout__": "NC"} for _ in range(n)]

    def _get_activation(self, inputs, activation, **kwargs):
        """``Activation(act_type=activation)`` for a string, else ``activation(inputs)``."""
        if isinstance(activation, str):
            return symbol.Activation(inputs, act_type=activation, **kwargs)
        return activation(inputs, **kwargs)


class RNNCell(BaseRNNCell):
    """The Elman cell ``h' = activation(W_i x + b_i + W_h h + b_h)``.

    Parameters
    ----------
    num_hidden : int
    activation : str or callable
        ``'tanh'`` (default), ``'relu'``, ... or a function of a symbol.
    prefix : str, default ``'rnn_'``
    params : RNNParams or None
    """

    def __init__(self, num_hidden, activation="tanh", prefix="rnn_", params=None):
        super().__init__(prefix=prefix, params=params)
        self._num_hidden = num_hidden
        self._activation = activation
        self._fc_variables()

    @property
    def state_info(self):
        """One state (N, num_hidden)."""
        return self._nc_states(1)

    @property
    def _gate_names(self):
        return ("",)

    def __call__(self, inputs, states):
        """One step; the output is also the new state."""
        self._counter += 1
        states = _resolve_states(states, inputs, "NC")
        name = f"{self._prefix}t{self._counter}_"
        i2h = symbol.FullyConnected(data=inputs, weight=self._iW, bias=self._iB,
                                    num_hidden=self._num_hidden, name=f"{name}i2h")
        h2h = symbol.FullyConnected(data=states[0], weight=self._hW, bias=self._hB,
                                    num_hidden=self._num_hidden, name=f"{name}h2h")
        output = self._get_activation(i2h + h2h, self._activation, name=f"{name}out")
        return output, [output]


class LSTMCell(BaseRNNCell):
    """Long short-term memory (see the module docstring for the gates).

    Parameters
    ----------
    num_hidden : int
    prefix : str, default ``'lstm_'``
    params : RNNParams or None
    forget_bias : float, default 1.0
        Initial bias of the forget gate (through ``i2h_bias``'s ``LSTMBias``
        initializer; Jozefowicz et al. 2015).
    """

    def __init__(self, num_hidden, prefix="lstm_", params=None, forget_bias=1.0):
        super().__init__(prefix=prefix, params=params)
        self._num_hidden = num_hidden
        self._fc_variables(init.LSTMBias(forget_bias=forget_bias))

    @property
    def state_info(self):
        """Two states, ``h`` and ``c``, each (N, num_hidden)."""
        return self._nc_states(2)

    @property
    def _gate_names(self):
        return ["_i", "_f", "_c", "_o"]

    def __call__(self, inputs, states):
        """One step: returns ``(h', [h', c'])``."""
        self._counter += 1
        states = _resolve_states(states, inputs, "NC")
        name = f"{self._prefix}t{self._counter}_"
        h = self._num_hidden
        i2h = symbol.FullyConnected(data=inputs, weight=self._iW, bias=self._iB,
                                    num_hidden=h * 4, name=f"{name}i2h")
        h2h = symbol.FullyConnected(data=states[0], weight=self._hW, bias=self._hB,
                                    num_hidden=h * 4, name=f"{name}h2h")
        gates = symbol.SliceChannel(i2h + h2h, num_outputs=4, name=f"{name}slice")
        in_gate = symbol.Activation(gates[0], act_type="sigmoid", name=f"{name}i")
        forget_gate = symbol.Activation(gates[1], act_type="sigmoid", name=f"{name}f")
        in_transform = symbol.Activation(gates[2], act_type="tanh", name=f"{name}c")
        out_gate = symbol.Activation(gates[3], act_type="sigmoid", name=f"{name}o")
        next_c = symbol._internal._plus(forget_gate * states[1], in_gate * in_transform,
                                        name=f"{name}state")
        next_h = symbol._internal._mul(out_gate, symbol.Activation(next_c, act_type="tanh"),
                                       name=f"{name}out")
        return next_h, [next_h, next_c]


class GRUCell(BaseRNNCell):
    """Gated recurrent unit, cuDNN's variant (the reset gate multiplies ``h2h``'s
    candidate part, after the matrix product).

    Parameters
    ----------
    num_hidden : int
    prefix : str, default ``'gru_'``
    params : RNNParams or None
    """

    def __init__(self, num_hidden, prefix="gru_", params=None):
        super().__init__(prefix=prefix, params=params)
        self._num_hidden = num_hidden
        self._fc_variables()

    state_info = RNNCell.state_info              # one state (N, num_hidden)

    @property
    def _gate_names(self):
        return ["_r", "_z", "_o"]

    def __call__(self, inputs, states):
        """One step: returns ``(h', [h'])``."""
        self._counter += 1
        states = _resolve_states(states, inputs, "NC")
        name = f"{self._prefix}t{self._counter}_"
        prev_h = states[0]
        i2h = symbol.FullyConnected(data=inputs, weight=self._iW, bias=self._iB,
                                    num_hidden=self._num_hidden * 3, name=f"{name}_i2h")
        h2h = symbol.FullyConnected(data=prev_h, weight=self._hW, bias=self._hB,
                                    num_hidden=self._num_hidden * 3, name=f"{name}_h2h")
        i2h_r, i2h_z, i2h = symbol.SliceChannel(i2h, num_outputs=3, name=f"{name}_i2h_slice")
        h2h_r, h2h_z, h2h = symbol.SliceChannel(h2h, num_outputs=3, name=f"{name}_h2h_slice")
        reset_gate = symbol.Activation(i2h_r + h2h_r, act_type="sigmoid", name=f"{name}_r_act")
        update_gate = symbol.Activation(i2h_z + h2h_z, act_type="sigmoid",
                                        name=f"{name}_z_act")
        next_h_tmp = symbol.Activation(i2h + reset_gate * h2h, act_type="tanh",
                                       name=f"{name}_h_act")
        next_h = symbol._internal._plus((1. - update_gate) * next_h_tmp, update_gate * prev_h,
                                        name=f"{name}out")
        return next_h, [next_h]


class FusedRNNCell(BaseRNNCell):
    """All steps and layers in one ``RNN`` operator (MXNet: cuDNN only; pymx: any
    backend), with one packed parameter vector ``<prefix>parameters``.

    Parameters
    ----------
    num_hidden : int
    num_layers : int, default 1
    mode : {'rnn_relu', 'rnn_tanh', 'lstm', 'gru'}
    bidirectional : bool
        Output size doubles (forward and backward hidden states concatenated).
    dropout : float
        Dropout between layers (training only).
    get_next_state : bool
        Return the final states (else ``states`` is ``[]``).
    forget_bias : float
        LSTM forget-gate bias used by the ``FusedRNN`` initializer.
    prefix : str, default ``'<mode>_'``
    params : RNNParams or None
    """

    def __init__(self, num_hidden, num_layers=1, mode="lstm", bidirectional=False,
                 dropout=0., get_next_state=False, forget_bias=1.0, prefix=None, params=None):
        if prefix is None:
            prefix = f"{mode}_"
        super().__init__(prefix=prefix, params=params)
        self._num_hidden = num_hidden
        self._num_layers = num_layers
        self._mode = mode
        self._bidirectional = bidirectional
        self._dropout = dropout
        self._get_next_state = get_next_state
        self._directions = ["l", "r"] if bidirectional else ["l"]
        initializer = init.FusedRNN(None, num_hidden, num_layers, mode, bidirectional,
                                    forget_bias)
        self._parameter = self.params.get("parameters", init=initializer)

    @property
    def state_info(self):
        """One (LSTM: two) state of shape (layers * directions, N, num_hidden)."""
        b = self._bidirectional + 1
        n = (self._mode == "lstm") + 1
        return [{"shape": (b * self._num_layers, 0, self._num_hidden), "__layout__": "LNC"}
                for _ in range(n)]

    @property
    def _gate_names(self):
        return {"rnn_relu": [""], "rnn_tanh": [""], "lstm": ["_i", "_f", "_c", "_o"],
                "gru": ["_r", "_z", "_o"]}[self._mode]

    @property
    def _num_gates(self):
        return len(self._gate_names)

    def _slice_weights(self, arr, li, lh):
        """Views into the packed vector ``arr`` by name: per layer and direction the
        per-gate i2h then h2h weights, then all the biases in the same order (the
        ``RNN`` operator's packing)."""
        args = {}
        b = len(self._directions)
        p = 0
        for layer in range(self._num_layers):
            for direction in self._directions:
                for gate in self._gate_names:
                    name = f"{self._prefix}{direction}{layer}_i2h{gate}_weight"
                    cols = li if layer == 0 else b * lh
                    args[name] = arr[p:p + lh * cols].reshape((lh, cols))
                    p += lh * cols
                for gate in self._gate_names:
                    name = f"{self._prefix}{direction}{layer}_h2h{gate}_weight"
                    args[name] = arr[p:p + lh * lh].reshape((lh, lh))
                    p += lh * lh
        for layer in range(self._num_layers):
            for direction in self._directions:
                for group in ("i2h", "h2h"):
                    for gate in self._gate_names:
                        args[f"{self._prefix}{direction}{layer}_{group}{gate}_bias"] = \
                            arr[p:p + lh]
                        p += lh
        assert p == arr.size, "Invalid parameters size for FusedRNNCell"
        return args

    def unpack_weights(self, args):
        """The packed ``<prefix>parameters`` -> copies of every gate's weight and bias
        (``<prefix>l0_i2h_i_weight`` ...); the input size is solved from the length."""
        args = args.copy()
        arr = args.pop(self._parameter.name)
        b = len(self._directions)
        m = self._num_gates
        h = self._num_hidden
        num_input = arr.size // b // h // m - (self._num_layers - 1) * (h + b * h + 2) - h - 2
        nargs = self._slice_weights(arr, num_input, h)
        args.update({name: nd.copy() for name, nd in nargs.items()})
        return args

    def pack_weights(self, args):
        """Per-gate arrays -> the packed ``<prefix>parameters`` vector."""
        args = args.copy()
        b = self._bidirectional + 1
        m = self._num_gates
        c = self._gate_names
        h = self._num_hidden
        w0 = args[f"{self._prefix}l0_i2h{c[0]}_weight"]
        num_input = w0.shape[1]
        total = (num_input + h + 2) * h * m * b + \
            (self._num_layers - 1) * m * h * (h + b * h + 2) * b
        arr = ndarray.zeros((total,), ctx=w0.context, dtype=w0.dtype)
        for name, view in self._slice_weights(arr, num_input, h).items():
            view[:] = args.pop(name)
        args[self._parameter.name] = arr
        return args

    def __call__(self, inputs, states):
        """Not possible: a fused cell runs whole sequences (``unroll``, or ``unfuse``)."""
        raise NotImplementedError("FusedRNNCell cannot be stepped. Please use unroll")

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None):
        """One ``RNN`` node over the whole sequence (swapped to TNC around it for
        ``'NTC'``; MXNet warns that TNC is faster).  See ``BaseRNNCell.unroll``."""
        self.reset()
        inputs, axis = _normalize_sequence(length, inputs, layout, True)
        if axis == 1:
            warnings.warn("NTC layout detected. Consider using "
                          "TNC for FusedRNNCell for faster speed")
            inputs = symbol.swapaxes(inputs, dim1=0, dim2=1)
        else:
            assert axis == 0, f"Unsupported layout {layout}"
        if begin_state is None:
            begin_state = self.begin_state()
        states = _resolve_states(begin_state, inputs, "TNC")
        if self._mode == "lstm":
            states = {"state": states[0], "state_cell": states[1]}
        else:
            states = {"state": states[0]}
        rnn = symbol.RNN(data=inputs, parameters=self._parameter,
                         state_size=self._num_hidden, num_layers=self._num_layers,
                         bidirectional=self._bidirectional, p=self._dropout,
                         state_outputs=self._get_next_state, mode=self._mode,
                         name=self._prefix + "rnn", **states)
        attr = {"__layout__": "LNC"}
        if not self._get_next_state:
            outputs, states = rnn, []
        elif self._mode == "lstm":
            rnn[1]._set_attr(**attr)
            rnn[2]._set_attr(**attr)
            outputs, states = rnn[0], [rnn[1], rnn[2]]
        else:
            rnn[1]._set_attr(**attr)
            outputs, states = rnn[0], [rnn[1]]
        if axis == 1:
            outputs = symbol.swapaxes(outputs, dim1=0, dim2=1)
        outputs, _ = _normalize_sequence(length, outputs, layout, merge_outputs)
        return outputs, states

    def unfuse(self):
        """The same network as a ``SequentialRNNCell`` of step cells (prefixes
        ``<prefix>l<layer>_`` / ``r<layer>_``, a ``DropoutCell`` between layers), so it
        can be stepped; its ``unpack_weights`` names match this cell's."""
        stack = SequentialRNNCell()
        make = {"rnn_relu": lambda p: RNNCell(self._num_hidden, activation="relu", prefix=p),
                "rnn_tanh": lambda p: RNNCell(self._num_hidden, activation="tanh", prefix=p),
                "lstm": lambda p: LSTMCell(self._num_hidden, prefix=p),
                "gru": lambda p: GRUCell(self._num_hidden, prefix=p)}[self._mode]
        for i in range(self._num_layers):
            if self._bidirectional:
                stack.add(BidirectionalCell(make(f"{self._prefix}l{i}_"),
                                            make(f"{self._prefix}r{i}_"),
                                            output_prefix=f"{self._prefix}bi_l{i}_"))
            else:
                stack.add(make(f"{self._prefix}l{i}_"))
            if self._dropout > 0 and i != self._num_layers - 1:
                stack.add(DropoutCell(self._dropout, prefix=f"{self._prefix}_dropout{i}_"))
        return stack


class _CellGroup(BaseRNNCell):
    """Cells made of the cells in ``self._cells``: their states and weights, in order."""

    @property
    def state_info(self):
        """The children's states, in order."""
        return _cells_state_info(self._cells)

    def begin_state(self, **kwargs):
        """The children's begin states, in order."""
        assert not self._modified, \
            "After applying modifier cells (e.g. ZoneoutCell) the base " \
            "cell cannot be called directly. Call the modifier cell instead."
        return _cells_begin_state(self._cells, **kwargs)

    def unpack_weights(self, args):
        """Every child's ``unpack_weights``."""
        return _cells_unpack_weights(self._cells, args)

    def pack_weights(self, args):
        """Every child's ``pack_weights``."""
        return _cells_pack_weights(self._cells, args)


class SequentialRNNCell(_CellGroup):
    """A stack of cells: each one's output is the next one's input; the states are
    the cells' states concatenated.

    Parameters
    ----------
    params : RNNParams or None
        Give it here or to the children, not both.
    """

    def __init__(self, params=None):
        super().__init__(prefix="", params=params)
        self._override_cell_params = params is not None
        self._cells = []

    def add(self, cell):
        """Append ``cell`` to the stack."""
        self._cells.append(cell)
        if self._override_cell_params:
            assert cell._own_params, \
                "Either specify params for SequentialRNNCell or child cells, not both."
            cell.params._params.update(self.params._params)
        self.params._params.update(cell.params._params)

    def __call__(self, inputs, states):
        """One step through every cell (bidirectional cells cannot step)."""
        self._counter += 1
        next_states = []
        p = 0
        for cell in self._cells:
            assert not isinstance(cell, BidirectionalCell)
            n = len(cell.state_info)
            inputs, state = cell(inputs, states[p:p + n])
            p += n
            next_states.append(state)
        return inputs, sum(next_states, [])

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None):
        """Unroll each cell over the whole sequence in turn (so fused and bidirectional
        cells can be stacked); only the last one merges as asked."""
        self.reset()
        num_cells = len(self._cells)
        if begin_state is None:
            begin_state = self.begin_state()
        p = 0
        next_states = []
        for i, cell in enumerate(self._cells):
            n = len(cell.state_info)
            states = begin_state[p:p + n]
            p += n
            inputs, states = cell.unroll(length, inputs=inputs, begin_state=states,
                                         layout=layout,
                                         merge_outputs=None if i < num_cells - 1
                                         else merge_outputs)
            next_states.extend(states)
        return inputs, next_states


class DropoutCell(BaseRNNCell):
    """Dropout on the input (no state); a merged input gets one ``Dropout`` node.

    Parameters
    ----------
    dropout : float
        The probability of dropping an element.
    prefix : str, default ``'dropout_'``
    params : RNNParams or None
    """

    def __init__(self, dropout, prefix="dropout_", params=None):
        super().__init__(prefix, params)
        assert isinstance(dropout, numbers.Number), "dropout probability must be a number"
        self.dropout = dropout

    @property
    def state_info(self):
        """No states."""
        return []

    def __call__(self, inputs, states):
        """``Dropout(inputs, p)`` (identity for p = 0)."""
        if self.dropout > 0:
            inputs = symbol.Dropout(data=inputs, p=self.dropout)
        return inputs, states

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None):
        """Dropout on the whole sequence at once when it is (or is merged into) one
        symbol."""
        self.reset()
        inputs, _ = _normalize_sequence(length, inputs, layout, merge_outputs)
        if isinstance(inputs, symbol.Symbol):
            return self(inputs, [])
        return super().unroll(length, inputs, begin_state=begin_state, layout=layout,
                              merge_outputs=merge_outputs)


class ModifierCell(BaseRNNCell):
    """A cell wrapping ``base_cell`` (Zoneout, residual...).  The base cell is marked
    as modified: use the wrapper from then on."""

    def __init__(self, base_cell):
        super().__init__()
        base_cell._modified = True
        self.base_cell = base_cell

    @property
    def params(self):
        """The base cell's parameters."""
        self._own_params = False
        return self.base_cell.params

    @property
    def state_info(self):
        """The base cell's states."""
        return self.base_cell.state_info

    def begin_state(self, init_sym=symbol.zeros, **kwargs):
        """The base cell's begin states (``init_sym`` plays ``func``'s role)."""
        assert not self._modified, \
            "After applying modifier cells (e.g. DropoutCell) the base " \
            "cell cannot be called directly. Call the modifier cell instead."
        self.base_cell._modified = False
        begin = self.base_cell.begin_state(init_sym, **kwargs)
        self.base_cell._modified = True
        return begin

    def unpack_weights(self, args):
        """The base cell's ``unpack_weights``."""
        return self.base_cell.unpack_weights(args)

    def pack_weights(self, args):
        """The base cell's ``pack_weights``."""
        return self.base_cell.pack_weights(args)

    def __call__(self, inputs, states):
        """Implemented by the concrete modifiers."""
        raise NotImplementedError


class ZoneoutCell(ModifierCell):
    """Zoneout (Krueger et al. 2016): in training, each output/state element keeps its
    previous value with probability ``zoneout_outputs``/``zoneout_states``.

    The keep mask is ``Dropout(ones_like(x), p)`` (so kept elements are ``1/(1-p)``,
    nonzero: ``where`` only tests for nonzero); at inference Dropout is the identity
    and nothing is zoned out.  The previous output starts at zeros.
    """

    def __init__(self, base_cell, zoneout_outputs=0., zoneout_states=0.):
        assert not isinstance(base_cell, FusedRNNCell), \
            "FusedRNNCell doesn't support zoneout. Please unfuse first."
        assert not isinstance(base_cell, BidirectionalCell), \
            "BidirectionalCell doesn't support zoneout since it doesn't support step. " \
            "Please add ZoneoutCell to the cells underneath instead."
        assert not isinstance(base_cell, SequentialRNNCell) or not any(
            isinstance(c, BidirectionalCell) for c in base_cell._cells), \
            "Bidirectional SequentialRNNCell doesn't support zoneout. " \
            "Please add ZoneoutCell to the cells underneath instead."
        super().__init__(base_cell)
        self.zoneout_outputs = zoneout_outputs
        self.zoneout_states = zoneout_states
        self.prev_output = None

    def reset(self):
        """Reset the counters and forget the previous output."""
        super().reset()
        self.prev_output = None

    def __call__(self, inputs, states):
        """One step of the base cell, then zoneout on its output and states."""
        states = _resolve_states(states, inputs, "NC")
        p_out, p_states = self.zoneout_outputs, self.zoneout_states
        next_output, next_states = self.base_cell(inputs, states)

        def mask(p, like):
            return symbol.Dropout(symbol.ones_like(like), p=p)

        # MXNet: zeros((0, 0)) filled in by shape inference; the same zeros here
        prev = self.prev_output if self.prev_output is not None else \
            symbol.zeros_like(next_output)
        output = symbol.where(mask(p_out, next_output), next_output, prev) \
            if p_out != 0. else next_output
        states = [symbol.where(mask(p_states, new_s), new_s, old_s)
                  for new_s, old_s in zip(next_states, states)] \
            if p_states != 0. else next_states
        self.prev_output = output
        return output, states


class ResidualCell(ModifierCell):
    """Output = base cell's output + input (Wu et al. 2016); the input size must equal
    ``num_hidden``."""

    def __call__(self, inputs, states):
        """One step plus the residual connection (``<output>_plus_residual``)."""
        output, states = self.base_cell(inputs, states)
        output = symbol.elemwise_add(output, inputs, name=f"{output.name}_plus_residual")
        return output, states

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None):
        """Unroll the base cell, then add the inputs (merged or per step, as the
        outputs are)."""
        self.reset()
        self.base_cell._modified = False
        outputs, states = self.base_cell.unroll(length, inputs=inputs,
                                                begin_state=begin_state, layout=layout,
                                                merge_outputs=merge_outputs)
        self.base_cell._modified = True
        if merge_outputs is None:
            merge_outputs = isinstance(outputs, symbol.Symbol)
        inputs, _ = _normalize_sequence(length, inputs, layout, merge_outputs)
        if merge_outputs:
            outputs = symbol.elemwise_add(outputs, inputs,
                                          name=f"{outputs.name}_plus_residual")
        else:
            outputs = [symbol.elemwise_add(o, i, name=f"{o.name}_plus_residual")
                       for o, i in zip(outputs, inputs)]
        return outputs, states


class BidirectionalCell(_CellGroup):
    """Run ``l_cell`` forward and ``r_cell`` backward in time and concatenate their
    outputs per step (``<output_prefix>t<i>`` nodes, or one ``<output_prefix>out``
    when merged).  Cannot be stepped.

    Parameters
    ----------
    l_cell, r_cell : BaseRNNCell
    params : RNNParams or None
    output_prefix : str, default ``'bi_'``
    """

    def __init__(self, l_cell, r_cell, params=None, output_prefix="bi_"):
        super().__init__("", params=params)
        self._output_prefix = output_prefix
        self._override_cell_params = params is not None
        if self._override_cell_params:
            assert l_cell._own_params and r_cell._own_params, \
                "Either specify params for BidirectionalCell or child cells, not both."
            l_cell.params._params.update(self.params._params)
            r_cell.params._params.update(self.params._params)
        self.params._params.update(l_cell.params._params)
        self.params._params.update(r_cell.params._params)
        self._cells = [l_cell, r_cell]

    def __call__(self, inputs, states):
        """Not possible: the backward direction needs the whole sequence."""
        raise NotImplementedError("Bidirectional cannot be stepped. Please use unroll")

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None):
        """Unroll both cells (the right one on the reversed steps) and concatenate.
        The states are ``[l_states, r_states]`` (a nested list, as MXNet)."""
        self.reset()
        inputs, axis = _normalize_sequence(length, inputs, layout, False)
        if begin_state is None:
            begin_state = self.begin_state()
        states = begin_state
        l_cell, r_cell = self._cells
        n_l = len(l_cell.state_info)
        l_outputs, l_states = l_cell.unroll(length, inputs=inputs, begin_state=states[:n_l],
                                            layout=layout, merge_outputs=merge_outputs)
        r_outputs, r_states = r_cell.unroll(length, inputs=list(reversed(inputs)),
                                            begin_state=states[n_l:], layout=layout,
                                            merge_outputs=merge_outputs)
        if merge_outputs is None:
            merge_outputs = isinstance(l_outputs, symbol.Symbol) and \
                isinstance(r_outputs, symbol.Symbol)
            if not merge_outputs:
                if isinstance(l_outputs, symbol.Symbol):
                    l_outputs = list(symbol.SliceChannel(l_outputs, axis=axis,
                                                         num_outputs=length, squeeze_axis=1))
                if isinstance(r_outputs, symbol.Symbol):
                    r_outputs = list(symbol.SliceChannel(r_outputs, axis=axis,
                                                         num_outputs=length, squeeze_axis=1))
        if merge_outputs:
            l_outputs = [l_outputs]
            r_outputs = [symbol.reverse(r_outputs, axis=axis)]
        else:
            r_outputs = list(reversed(r_outputs))
        outputs = [symbol.Concat(l_o, r_o, dim=1 + merge_outputs,
                                 name=(f"{self._output_prefix}out" if merge_outputs
                                       else f"{self._output_prefix}t{i}"))
                   for i, (l_o, r_o) in enumerate(zip(l_outputs, r_outputs))]
        if merge_outputs:
            outputs = outputs[0]
        return outputs, [l_states, r_states]
