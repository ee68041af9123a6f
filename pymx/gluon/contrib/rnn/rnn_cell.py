"""``VariationalDropoutCell`` and ``LSTMPCell`` (built on gluon/rnn/rnn_cell.py).

* ``VariationalDropoutCell(base_cell, drop_inputs, drop_states, drop_outputs)`` (Gal &
  Ghahramani 2016): dropout whose mask is drawn once per sequence and reused at every
  time step, for the inputs, the first state (h) and the outputs, each with its own
  mask.
* ``LSTMPCell(hidden_size, projection_size)`` (Sak et al. 2014): an LSTM whose hidden
  state is projected to a smaller size before it is fed back and output::

      i, f, g, o = split4(W_i2h x + b_i2h + W_h2h r + b_h2h)
      c' = sigmoid(f) * c + sigmoid(i) * tanh(g)
      h' = sigmoid(o) * tanh(c')
      r' = W_h2r h'                          (no bias)        output r', states [r', c']

  Parameters ``i2h_weight`` (4H, C), ``h2h_weight`` (4H, P), ``h2r_weight`` (P, H),
  ``i2h_bias``, ``h2h_bias`` (4H,) under the prefix ``lstmp<k>_``.
"""
from ...rnn.rnn_cell import (BidirectionalCell, HybridRecurrentCell, ModifierCell,
                             SequentialRNNCell, _format_sequence, _get_begin_state,
                             _is_tensor, _mask_sequence_variable_length)

__all__ = ["VariationalDropoutCell", "LSTMPCell"]


class VariationalDropoutCell(ModifierCell):
    """Variational dropout around ``base_cell``: the masks for the inputs
    (``drop_inputs``), the first state (``drop_states``) and the outputs
    (``drop_outputs``) are drawn at the first step and kept until ``reset()`` (which
    ``unroll`` calls).  Stepping by hand, call ``reset()`` before each new sequence.

    A mask is ``Dropout(ones_like(x), p)``: 0 or ``1/(1-p)`` in training, all ones
    outside it.  Without state dropout, ``unroll`` drops the whole input and output
    sequences at once with ``Dropout(axes=(time axis,))`` (one mask shared over time).
    Parameters are the base cell's; the prefix is the base cell's + ``vardrop``.
    """

    def __init__(self, base_cell, drop_inputs=0., drop_states=0., drop_outputs=0.):
        if drop_states and isinstance(base_cell, BidirectionalCell):
            raise AssertionError(
                "BidirectionalCell doesn't support variational state dropout. "
                "Please add VariationalDropoutCell to the cells underneath instead.")
        if drop_states and isinstance(base_cell, SequentialRNNCell) and any(
                isinstance(c, BidirectionalCell) for c in base_cell._children.values()):
            raise AssertionError(
                "Bidirectional SequentialRNNCell doesn't support variational state "
                "dropout. Please add VariationalDropoutCell to the cells underneath "
                "instead.")
        super().__init__(base_cell)
        self.drop_inputs = drop_inputs
        self.drop_states = drop_states
        self.drop_outputs = drop_outputs
        self.drop_inputs_mask = None
        self.drop_states_mask = None
        self.drop_outputs_mask = None

    def _alias(self):
        return "vardrop"

    def reset(self):
        """Forget the masks (and the step counters)."""
        super().reset()
        self.drop_inputs_mask = None
        self.drop_states_mask = None
        self.drop_outputs_mask = None

    @staticmethod
    def _mask(F, p, like):
        return F.Dropout(F.ones_like(like), p=p)

    def hybrid_forward(self, F, inputs, states):
        """One step: mask the input and h, step the base cell, mask the output."""
        if self.drop_states and self.drop_states_mask is None:
            self.drop_states_mask = self._mask(F, self.drop_states, states[0])
        if self.drop_inputs and self.drop_inputs_mask is None:
            self.drop_inputs_mask = self._mask(F, self.drop_inputs, inputs)
        if self.drop_states:
            states = [states[0] * self.drop_states_mask] + list(states[1:])
        if self.drop_inputs:
            inputs = inputs * self.drop_inputs_mask
        output, next_states = self.base_cell(inputs, states)
        if self.drop_outputs and self.drop_outputs_mask is None:
            self.drop_outputs_mask = self._mask(F, self.drop_outputs, output)
        if self.drop_outputs:
            output = output * self.drop_outputs_mask
        return output, next_states

    def __repr__(self):
        return "{}(p_out = {}, p_state = {})".format(self.__class__.__name__,
                                                     self.drop_outputs, self.drop_states)

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None,
               valid_length=None):
        """Unroll over ``length`` steps (arguments as ``RecurrentCell.unroll``).  With
        state dropout this steps one by one; otherwise the base cell unrolls the
        dropped-out input sequence at once."""
        if self.drop_states:
            return super().unroll(length, inputs, begin_state, layout, merge_outputs,
                                  valid_length=valid_length)
        self.reset()
        inputs, axis, F, batch_size = _format_sequence(length, inputs, layout, True)
        states = _get_begin_state(self, F, begin_state, inputs, batch_size)
        if self.drop_inputs:
            inputs = F.Dropout(inputs, p=self.drop_inputs, axes=(axis,))
        self.base_cell._modified = False
        try:
            outputs, states = self.base_cell.unroll(length, inputs, states, layout,
                                                    merge_outputs=True,
                                                    valid_length=valid_length)
        finally:
            self.base_cell._modified = True
        if self.drop_outputs:
            outputs = F.Dropout(outputs, p=self.drop_outputs, axes=(axis,))
        merge_outputs = _is_tensor(outputs) if merge_outputs is None else merge_outputs
        outputs, _, _, _ = _format_sequence(length, outputs, layout, merge_outputs)
        if valid_length is not None:
            outputs = _mask_sequence_variable_length(F, outputs, length, valid_length, axis,
                                                     merge_outputs)
        return outputs, states


class LSTMPCell(HybridRecurrentCell):
    """An LSTM with a projection layer (see the module docstring for the step).

    Inputs: ``x`` (N, C) and states ``[r (N, projection_size), c (N, hidden_size)]``.
    Output ``r'`` (N, projection_size).  ``input_size=0`` defers C to the first call.
    The gate order (i, f, g, o) and the parameter layout are ``LSTMCell``'s.
    """

    def __init__(self, hidden_size, projection_size, i2h_weight_initializer=None,
                 h2h_weight_initializer=None, h2r_weight_initializer=None,
                 i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", input_size=0,
                 prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        self._hidden_size = hidden_size
        self._input_size = input_size
        self._projection_size = projection_size
        gh = 4 * hidden_size
        get = self.params.get
        self.i2h_weight = get("i2h_weight", shape=(gh, input_size),
                              init=i2h_weight_initializer, allow_deferred_init=True)
        self.h2h_weight = get("h2h_weight", shape=(gh, projection_size),
                              init=h2h_weight_initializer, allow_deferred_init=True)
        self.h2r_weight = get("h2r_weight", shape=(projection_size, hidden_size),
                              init=h2r_weight_initializer, allow_deferred_init=True)
        self.i2h_bias = get("i2h_bias", shape=(gh,), init=i2h_bias_initializer,
                            allow_deferred_init=True)
        self.h2h_bias = get("h2h_bias", shape=(gh,), init=h2h_bias_initializer,
                            allow_deferred_init=True)

    def state_info(self, batch_size=0):
        """``[r (N, projection_size), c (N, hidden_size)]``."""
        return [{"shape": (batch_size, self._projection_size), "__layout__": "NC"},
                {"shape": (batch_size, self._hidden_size), "__layout__": "NC"}]

    def _alias(self):
        return "lstmp"

    def infer_shape(self, inputs, *args):
        """C is the last dim of the (N, C) step input."""
        self.i2h_weight.shape = (4 * self._hidden_size, inputs.shape[-1])

    def __repr__(self):
        shape, proj = self.i2h_weight.shape, self.h2r_weight.shape
        return "{}({} -> {} -> {})".format(self.__class__.__name__,
                                           shape[1] if shape[1] else None, shape[0], proj[0])

    def hybrid_forward(self, F, inputs, states, i2h_weight, h2h_weight, h2r_weight,
                       i2h_bias, h2h_bias):
        """One step: ``(r', [r', c'])``."""
        prefix = "t%d_" % self._counter
        n = 4 * self._hidden_size
        i2h = F.FullyConnected(data=inputs, weight=i2h_weight, bias=i2h_bias, num_hidden=n,
                               name=prefix + "i2h")
        h2h = F.FullyConnected(data=states[0], weight=h2h_weight, bias=h2h_bias,
                               num_hidden=n, name=prefix + "h2h")
        gates = F.SliceChannel(i2h + h2h, num_outputs=4, name=prefix + "slice")
        in_gate = F.Activation(gates[0], act_type="sigmoid", name=prefix + "i")
        forget_gate = F.Activation(gates[1], act_type="sigmoid", name=prefix + "f")
        in_transform = F.Activation(gates[2], act_type="tanh", name=prefix + "c")
        out_gate = F.Activation(gates[3], act_type="sigmoid", name=prefix + "o")
        next_c = F.elemwise_add(forget_gate * states[1], in_gate * in_transform,
                                name=prefix + "state")
        hidden = F.elemwise_mul(out_gate, F.Activation(next_c, act_type="tanh"),
                                name=prefix + "hidden")
        next_r = F.FullyConnected(data=hidden, num_hidden=self._projection_size,
                                  weight=h2r_weight, no_bias=True, name=prefix + "out")
        return next_r, [next_r, next_c]
